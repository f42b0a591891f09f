// The camera and the QR decoder: the browser's own BarcodeDetector where it reads QR
// codes (Android, macOS), else the barcode-detector ponyfill (ZXing in WebAssembly),
// whose .wasm is served from our own static files.
//
// A code is reported once when it comes into view; the same code seen again is
// reported only after it has been out of view for a moment, so a badge held in front
// of the camera while its verdict shows is not sent twice.

import { BarcodeDetector as Ponyfill, prepareZXingModule } from "../../vendor/barcode-detector/ponyfill.js";

const FRAME_INTERVAL_MS = 120;
const GONE_AFTER_MS = 1200;
const REPEAT_AFTER_MS = 3000;

async function makeDetector(wasmUrl) {
  if ("BarcodeDetector" in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes("qr_code")) return new window.BarcodeDetector({ formats: ["qr_code"] });
    } catch {
      // fall through to the ponyfill
    }
  }
  prepareZXingModule({
    overrides: {
      locateFile: (path, prefix) => (path.endsWith(".wasm") ? new URL(wasmUrl, location.href).href : prefix + path),
    },
    fireImmediately: true,
  });
  return new Ponyfill({ formats: ["qr_code"] });
}

export class Camera {
  constructor(video, { wasmUrl, onCode }) {
    this.video = video;
    this.wasmUrl = wasmUrl;
    this.onCode = onCode;
    this.lastSeen = new Map(); // code → when it was last in view
    this.reported = new Map(); // code → when it was last reported
    this.running = false;
    this.run = 0; // each start gets its own reading loop; a stop ends it
  }

  async start() {
    if (this.running) return;
    this.running = true;
    const run = ++this.run;
    try {
      this.detector = this.detector || (await makeDetector(this.wasmUrl));
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
      });
      if (run !== this.run) {
        stream.getTracks().forEach((track) => track.stop());
        return;
      }
      this.video.srcObject = stream;
      await this.video.play();
    } catch (error) {
      if (run === this.run) this.stop();
      throw error;
    }
    this.loop(run);
  }

  stop() {
    this.running = false;
    this.run += 1;
    const stream = this.video.srcObject;
    if (stream) stream.getTracks().forEach((track) => track.stop());
    this.video.srcObject = null;
  }

  async loop(run) {
    while (run === this.run) {
      const started = performance.now();
      if (this.video.readyState >= 2) {
        try {
          const codes = await this.detector.detect(this.video);
          this.seen(codes.map((code) => code.rawValue).filter(Boolean), performance.now());
        } catch (error) {
          console.warn("scanner: decoding failed", error);
        }
      }
      const rest = FRAME_INTERVAL_MS - (performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, Math.max(rest, 10)));
    }
  }

  seen(values, now) {
    for (const value of values) {
      const last = this.lastSeen.get(value);
      this.lastSeen.set(value, now);
      const cameBack = last === undefined || now - last > GONE_AFTER_MS;
      if (cameBack && !(now - this.reported.get(value) < REPEAT_AFTER_MS)) {
        this.reported.set(value, now);
        this.onCode(value);
      }
    }
  }
}
