/**
 * A video file for Chromium's fake camera (`--use-file-for-fake-video-capture`): a QR code of a
 * text, black on white, as uncompressed YUV 4:2:0 frames (Y4M), which Chromium loops.
 */
import fs from 'node:fs';
import QRCode from 'qrcode';

const WIDTH = 640;
const HEIGHT = 480;
const MODULE_PX = 8;
const QUIET_MODULES = 4;

/** Writes `frames` identical frames showing the QR of `text` centred on white; returns the file. */
export function writeQrVideo(file: string, text: string, frames = 5): string {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const side = (modules.size + 2 * QUIET_MODULES) * MODULE_PX;
  if (side > HEIGHT) throw new Error(`QR of ${modules.size} modules does not fit ${HEIGHT} px`);
  const luma = Buffer.alloc(WIDTH * HEIGHT, 235); // white (video range)
  const left = Math.floor((WIDTH - modules.size * MODULE_PX) / 2);
  const top = Math.floor((HEIGHT - modules.size * MODULE_PX) / 2);
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      if (!modules.get(row, col)) continue;
      for (let y = 0; y < MODULE_PX; y++) {
        const start = (top + row * MODULE_PX + y) * WIDTH + left + col * MODULE_PX;
        luma.fill(16, start, start + MODULE_PX); // black (video range)
      }
    }
  }
  const chroma = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F10:1 Ip A1:1 C420jpeg\n`);
  fs.writeFileSync(file, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
  return file;
}
