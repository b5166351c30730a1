import jsQR from 'jsqr';
import { cleanPersonCode, cleanScannedCode, PERSON_CODE_LIKE } from '../../domain/testing';

/** The browser's own barcode reader (Chrome on Android, Safari); not in TypeScript's DOM types yet. */
interface BarcodeDetectorLike {
  detect(source: CanvasImageSource): Promise<{ rawValue: string }[]>;
}
interface BarcodeDetectorClass {
  new (options: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats(): Promise<string[]>;
}

async function nativeReader(): Promise<BarcodeDetectorLike | null> {
  const Detector = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
  if (!Detector) return null;
  try {
    const formats = await Detector.getSupportedFormats();
    return formats.includes('qr_code') ? new Detector({ formats: ['qr_code'] }) : null;
  } catch {
    return null;
  }
}

type Source = HTMLVideoElement | ImageBitmap;

const sizeOf = (source: Source) =>
  source instanceof HTMLVideoElement
    ? { width: source.videoWidth, height: source.videoHeight }
    : { width: source.width, height: source.height };

/**
 * Reads a QR code from video frames or photos: with `BarcodeDetector` where the browser has one
 * that knows QR, else with jsQR on the pixels drawn into a canvas (scaled down: a phone photo of
 * 4000 px takes seconds in jsQR and gains nothing). `thorough` (photos) also tries jsQR when the
 * native reader finds nothing, and light-on-dark codes.
 */
export function createQrReader() {
  let native: Promise<BarcodeDetectorLike | null> | undefined;
  let canvas: HTMLCanvasElement | undefined;

  return async function read(source: Source, { thorough = false } = {}): Promise<string | null> {
    native ??= nativeReader();
    const detector = await native;
    if (detector) {
      try {
        const [hit] = await detector.detect(source);
        if (hit) return hit.rawValue;
      } catch {
        // A frame the reader cannot take (video not ready): jsQR below, or the next frame.
      }
      if (!thorough) return null;
    }
    const { width, height } = sizeOf(source);
    if (!width || !height) return null;
    const maxSide = thorough ? 1600 : 800;
    const scale = Math.min(1, maxSide / Math.max(width, height));
    canvas ??= document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) return null;
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
    const code = jsQR(pixels.data, pixels.width, pixels.height, {
      inversionAttempts: thorough ? 'attemptBoth' : 'dontInvert',
    });
    return code?.data || null;
  };
}

/**
 * A person code from what a QR held or a keyboard typed: the code itself, or the link of its
 * printable page (/code/…), cleaned of full-width characters and spaces; '' when it is no person
 * code at all (a payment or health code, a tube's label, a typo), so it is never sent.
 */
export function personCodeFrom(text: string): string {
  const cleaned = cleanScannedCode(text);
  const fromLink = /\/code\/([A-Za-z0-9_-]+)\/?(?:[?#].*)?$/.exec(cleaned);
  // A GW2 code typed in small letters, or with O for 0 and l for 1, is sent as minted
  // (cleanPersonCode; what it cleans again of the link's code is cleaned already).
  const code = cleanPersonCode(fromLink ? (fromLink[1] as string) : cleaned);
  return PERSON_CODE_LIKE.test(code) ? code : '';
}

/** Reads the QR code in a photo file (the fallback when the camera cannot be opened here). */
export async function readQrFromFile(file: File, read = createQrReader()): Promise<string | null> {
  const bitmap = await createImageBitmap(file);
  try {
    return await read(bitmap, { thorough: true });
  } finally {
    bitmap.close();
  }
}
