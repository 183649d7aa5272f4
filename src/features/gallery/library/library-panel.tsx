import { memo, useEffect, useRef, useState, type ChangeEvent, type RefObject } from 'react';
import type { Card } from '../gallery-state';
import { libraryCountText } from './browse';
import { directoryPicker, fromDirectoryHandle, fromFolderPick } from './folder-files';
import { libraryProgress, type PhotoLibrary } from './use-photo-library';
import { messageOf } from '../../../lib/message-of';

/** Bytes as KB / MB / GB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

/** Seconds as "1 h 2 min", "3 min 4 s" or "5 s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${s} s`;
}

/**
 * The library row: which library (new, rename, delete) and the storage used. Memoised on the
 * library alone: a photo's result draws the counters below, not these controls.
 */
const LibraryRow = memo(function LibraryRow({ library }: { library: PhotoLibrary }) {
  const [renaming, setRenaming] = useState<string | null>(null);
  const { active } = library;
  return (
    <div className="library__row">
      <label>
        Library{' '}
        <select
          data-testid="library-select"
          value={active?.id ?? ''}
          onChange={(e) => library.switchTo(e.target.value)}
          disabled={!library.ready && library.libraries.length === 0}
        >
          {library.libraries.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
        </select>
      </label>
      {renaming === null ? (
        <>
          <button
            type="button"
            className="button--secondary"
            onClick={() => setRenaming(active?.name ?? '')}
            disabled={!active}
          >
            Rename
          </button>
          <button
            type="button"
            className="button--secondary"
            onClick={() => void library.createLibrary(`Library ${library.libraries.length + 1}`)}
          >
            New library
          </button>
          <button
            type="button"
            className="button--secondary"
            data-testid="library-delete"
            onClick={() => {
              if (active && window.confirm(`Delete the library “${active.name}” and its results?`))
                void library.deleteLibrary();
            }}
            disabled={!active}
          >
            Delete library
          </button>
        </>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void library.renameLibrary(renaming);
            setRenaming(null);
          }}
        >
          <label>
            <span className="visually-hidden">New name</span>
            <input
              data-testid="library-name"
              value={renaming}
              onChange={(e) => setRenaming(e.target.value)}
              autoFocus
            />
          </label>{' '}
          <button type="submit">Save</button>{' '}
          <button type="button" className="button--secondary" onClick={() => setRenaming(null)}>
            Cancel
          </button>
        </form>
      )}
      <span className="muted" data-testid="library-storage">
        {library.usage
          ? `${formatBytes(library.usage.bytes)} stored${
              library.usage.quota ? ` (this site may use ${formatBytes(library.usage.quota)})` : ''
            }`
          : ''}
      </span>
    </div>
  );
});

/**
 * The folder pickers. Memoised on the library (and the stable ref and setter): React writes every
 * prop of an `<input>` again each time it draws one, and drawing these with every photo's result
 * made that the largest part of the page's work per result in a 2,000-photo library (profiled).
 */
const FolderPickers = memo(function FolderPickers({
  library,
  inputRef,
  onNote,
}: {
  library: PhotoLibrary;
  inputRef: RefObject<HTMLInputElement | null>;
  onNote: (note: string | null) => void;
}) {
  const picker = directoryPicker();
  const onFolder = (event: ChangeEvent<HTMLInputElement>): void => {
    const target = event.target;
    const { folder, files } = fromFolderPick(target.files ?? []);
    target.value = '';
    if (files.length === 0) return;
    const { added, skipped } = library.addFolder(files, folder);
    onNote(
      skipped > 0
        ? `${added} photo${added === 1 ? '' : 's'} added; ${skipped} already in the library skipped.`
        : null,
    );
  };
  const pickWithAccess = async (): Promise<void> => {
    if (!picker) return;
    try {
      const handle = await picker({ id: 'photo-library', mode: 'read' });
      const files = await fromDirectoryHandle(handle);
      const { added, skipped } = library.addFolder(files, handle.name, handle);
      onNote(skipped > 0 ? `${added} added; ${skipped} already in the library skipped.` : null);
    } catch (e) {
      if ((e as Error).name !== 'AbortError') onNote(`Could not read the folder: ${messageOf(e)}`);
    }
  };
  return (
    <>
      <label className="button button--secondary">
        Choose a folder…
        <input
          ref={inputRef}
          className="visually-hidden"
          type="file"
          data-testid="folder-picker"
          // React does not know these attributes; they make the picker take a folder.
          {...{ webkitdirectory: '', directory: '' }}
          onChange={onFolder}
        />
      </label>
      {picker && (
        <button type="button" className="button--secondary" onClick={() => void pickWithAccess()}>
          Choose a folder and keep access…
        </button>
      )}
    </>
  );
});

/**
 * The photo library's header in Classify: which library (new, rename, delete), storage used, the
 * folder pickers, a resume offer after a reload, and progress with pause, resume and cancel.
 */
export function LibraryPanel({
  library,
  cards,
  shown,
}: {
  library: PhotoLibrary;
  /** the queue's cards (the panel's caller subscribes to them) */
  cards: Card[];
  /** how many of them the browsing options show */
  shown: number;
}) {
  const folderInput = useRef<HTMLInputElement>(null);
  const [note, setNote] = useState<string | null>(null);
  const { measureRate } = library;
  const [rate, setRate] = useState<number | null>(null);
  const progress = libraryProgress(cards, rate);
  // While photos are under way, the rate and time left are recomputed each second (here, so the
  // tick draws this panel and not the page around it).
  const running = progress.unfinished > 0;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setRate(measureRate()), 1000);
    return () => clearInterval(timer);
  }, [running, measureRate]);

  const percent = progress.total > 0 ? (progress.finished / progress.total) * 100 : 0;

  return (
    <section className="library" aria-label="Photo library" data-testid="photo-library">
      <LibraryRow library={library} />
      <div className="library__row">
        <FolderPickers library={library} inputRef={folderInput} onNote={setNote} />
        <p
          className="library__count"
          data-testid="library-count"
          data-total={progress.total}
          data-done={progress.finished}
          data-shown={shown}
          data-errors={progress.failed}
          {...(library.restoreMs !== null
            ? { 'data-restore-ms': Math.round(library.restoreMs) }
            : {})}
        >
          {/* How many are done is said once, by the gallery's summary above the photos. */}
          {libraryCountText(progress.total, shown)}
        </p>
      </div>
      {library.offer && (
        <div className="library__offer" role="status" data-testid="library-resume">
          {library.offer.count} photo{library.offer.count === 1 ? '' : 's'} of “
          {library.offer.folder}” were not finished.{' '}
          {library.offer.canReopen ? (
            <button type="button" onClick={() => void library.reopenFolder()}>
              Resume
            </button>
          ) : (
            <button type="button" onClick={() => folderInput.current?.click()}>
              Pick “{library.offer.folder}” again
            </button>
          )}{' '}
          <span className="muted">(photos already done are skipped)</span>
        </div>
      )}
      {running && (
        <div className="library__progress" data-testid="library-progress">
          <progress max={100} value={percent} aria-label="Photos classified" />
          <span>
            {progress.finished} / {progress.total}
            {progress.rate !== null && ` · ${progress.rate.toFixed(1)} photos/s`}
            {progress.secondsLeft !== null && ` · ${formatDuration(progress.secondsLeft)} left`}
            {library.paused && ' · paused'}
          </span>
          {library.paused ? (
            <button type="button" data-testid="library-resume-run" onClick={library.resume}>
              Resume
            </button>
          ) : (
            <button type="button" data-testid="library-pause" onClick={library.pause}>
              Pause
            </button>
          )}
          <button
            type="button"
            className="button--secondary"
            data-testid="library-cancel"
            onClick={library.cancel}
          >
            Cancel
          </button>
        </div>
      )}
      {(note ?? library.error) && (
        <p className="library__note" role="status">
          {library.error ?? note}{' '}
          {library.error && (
            <button type="button" className="button--secondary" onClick={library.dismissError}>
              Dismiss
            </button>
          )}
        </p>
      )}
    </section>
  );
}
