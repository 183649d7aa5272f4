/** Saves bytes or text as a file through a temporary object URL, which is revoked right after. */

/** The browser pieces a download needs (tests pass fakes). */
export interface DownloadEnv {
  createObjectURL(blob: Blob): string;
  revokeObjectURL(url: string): void;
  /** clicks a temporary `<a download>` for the URL */
  click(url: string, fileName: string): void;
  defer(run: () => void): void;
}

/** The real browser: an off-screen anchor, revoked on the next task. */
export function browserDownloadEnv(): DownloadEnv {
  return {
    createObjectURL: (blob) => URL.createObjectURL(blob),
    revokeObjectURL: (url) => URL.revokeObjectURL(url),
    click: (url, fileName) => {
      const a = document.createElement('a');
      a.href = url;
      a.download = fileName;
      a.rel = 'noopener';
      a.style.display = 'none';
      document.body.append(a);
      a.click();
      a.remove();
    },
    // The click starts the download synchronously; revoking on the next task is safe everywhere.
    defer: (run) => void setTimeout(run, 0),
  };
}

/** Downloads `data` as `fileName`; the object URL is always revoked, even if the click throws. */
export function downloadFile(
  data: string | ArrayBuffer,
  fileName: string,
  type: string,
  env: DownloadEnv = browserDownloadEnv(),
): void {
  const url = env.createObjectURL(new Blob([data], { type }));
  try {
    env.click(url, fileName);
  } finally {
    env.defer(() => env.revokeObjectURL(url));
  }
}
