/** The part of `qrcode` (no bundled types) the journeys use: the module matrix of a QR code. */
declare module 'qrcode' {
  interface QRCodeModel {
    modules: { size: number; get(row: number, col: number): number };
  }
  const QRCode: {
    create(text: string, options?: { errorCorrectionLevel?: 'L' | 'M' | 'Q' | 'H' }): QRCodeModel;
    /** A PNG of the code. */
    toBuffer(
      text: string,
      options?: { errorCorrectionLevel?: 'L' | 'M' | 'Q' | 'H'; scale?: number },
    ): Promise<Buffer>;
  };
  export default QRCode;
}
