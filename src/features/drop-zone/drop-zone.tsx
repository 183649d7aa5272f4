import { useEffect, useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import { filesFromDataTransfer } from './collect-files';
import './drop-zone.css';

/**
 * Where photos come in: drag and drop (files and whole folders), a multi-file picker, paste
 * (Ctrl/Cmd+V anywhere on the page) and, on phones, the camera. The zone is focusable and
 * Enter/Space opens the picker.
 */
export function DropZone({
  onFiles,
}: {
  /** `paths[i]`: file i's path relative to the dropped folder it came from (else its name) */
  onFiles: (files: File[], paths?: string[]) => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);

  useEffect(() => {
    const onPaste = (event: ClipboardEvent): void => {
      const files = Array.from(event.clipboardData?.files ?? []);
      if (files.length > 0) {
        event.preventDefault();
        onFiles(files);
      }
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, [onFiles]);

  const onDrop = (event: DragEvent): void => {
    event.preventDefault();
    setOver(false);
    void filesFromDataTransfer(event.dataTransfer).then(
      ({ files, paths }) => files.length > 0 && onFiles(files, paths),
    );
  };
  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.target !== event.currentTarget) return;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      input.current?.click();
    }
  };
  const take = (list: FileList | null, target: HTMLInputElement): void => {
    const files = Array.from(list ?? []);
    target.value = ''; // so picking the same file again still fires
    if (files.length > 0) onFiles(files);
  };

  return (
    <div
      className={`drop-zone${over ? ' drop-zone--over' : ''}`}
      data-testid="drop-zone"
      role="group"
      tabIndex={0}
      aria-label="Add photos: drop files or folders here, or press Enter to choose files"
      onKeyDown={onKeyDown}
      onClick={(event) => event.target === event.currentTarget && input.current?.click()}
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <p className="drop-zone__title">Drop photos or folders here</p>
      <p className="muted">or paste an image, or</p>
      <div className="drop-zone__actions">
        <label className="button">
          Choose photos…
          <input
            ref={input}
            className="visually-hidden"
            type="file"
            multiple
            accept="image/*,.heic,.heif"
            onChange={(event) => take(event.target.files, event.target)}
          />
        </label>
        <label className="button button--secondary">
          Take a photo
          <input
            className="visually-hidden"
            type="file"
            accept="image/*"
            capture="environment"
            data-testid="camera-input"
            onChange={(event) => take(event.target.files, event.target)}
          />
        </label>
      </div>
    </div>
  );
}
