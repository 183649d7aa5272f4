import type { OfflineState, StorageUse } from './use-pwa';
import './pwa.css';

function megabytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.round(bytes / 1e6)} MB`;
}

function offlineText(offline: OfflineState): string {
  switch (offline.state) {
    case 'ready':
      return 'Ready offline';
    case 'caching':
      return offline.fraction === null
        ? 'Preparing offline use…'
        : `Saving the model for offline use… ${Math.round(offline.fraction * 100)}%`;
    case 'unavailable':
      return `Not ready for offline use: ${offline.reason}`;
  }
}

/** "Ready offline" chip, the update prompt and the install button. */
export function PwaStatus({
  offline,
  needRefresh,
  onUpdate,
  canInstall,
  onInstall,
}: {
  offline: OfflineState;
  needRefresh: boolean;
  onUpdate: () => void;
  canInstall: boolean;
  onInstall: () => void;
}) {
  return (
    <div className="pwa-status">
      <span
        className={`chip chip--${offline.state}`}
        data-testid="offline-status"
        data-state={offline.state}
        role="status"
      >
        {offlineText(offline)}
      </span>
      {canInstall && (
        <button
          type="button"
          className="button--secondary"
          onClick={onInstall}
          data-testid="install-button"
        >
          Install app
        </button>
      )}
      {needRefresh && (
        <div className="update-prompt" role="alert" data-testid="update-prompt">
          Update available —{' '}
          <button type="button" onClick={onUpdate}>
            reload
          </button>
        </div>
      )}
    </div>
  );
}

/** Storage used by the app (shown in settings), with a button to refresh the numbers. */
export function StorageInfo({
  storage,
  onRefresh,
}: {
  storage: StorageUse | null;
  onRefresh: () => void;
}) {
  return (
    <div className="storage-info" data-testid="storage-info">
      {storage ? (
        <span>
          Storage: {megabytes(storage.usage)} used of {megabytes(storage.quota)}
          {storage.persisted ? ' (kept by the browser)' : ' (may be cleared when space runs low)'}
        </span>
      ) : (
        <span className="muted">Storage use not measured yet.</span>
      )}{' '}
      <button type="button" className="button--secondary" onClick={onRefresh}>
        Measure
      </button>
    </div>
  );
}
