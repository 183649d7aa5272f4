import { useCallback, useMemo, useState } from 'react';
import { DropZone } from '../features/drop-zone/drop-zone';
import { Gallery } from '../features/gallery/gallery';
import { ModelStatus } from '../features/model-status/model-status';
import { SettingsPanel } from '../features/settings/settings-panel';
import { loadSettings, saveSettings, type Settings } from '../features/settings/settings-store';
import { isBackendChoice } from '../inference/protocol';
import { entryFromSearch } from '../models/registry';
import { getInferenceClient } from './inference-client';
import { useClassificationQueue } from './use-classification-queue';
import { useModel } from './use-model';

/** The shell: status and settings on top, the drop zone, then the gallery. */
export function App() {
  const client = getInferenceClient();
  const entry = useMemo(() => {
    const e = entryFromSearch(location.search, location.href);
    // The worker resolves URLs against its own script, so hand it absolute ones.
    return { ...e, url: new URL(e.url, location.href).href };
  }, []);
  const backendFromUrl = useMemo(() => new URLSearchParams(location.search).get('backend'), []);
  const [settings, setSettings] = useState<Settings>(() => loadSettings());
  const backend = isBackendChoice(backendFromUrl) ? backendFromUrl : settings.backend;

  const model = useModel(client, entry, backend);
  const queue = useClassificationQueue(client, model.ready, settings.resizeMode);

  const changeSettings = useCallback((next: Settings) => {
    setSettings(next);
    saveSettings(next);
  }, []);

  return (
    <div className="app">
      <header className="app__header">
        <h1>
          Inception Lens <span className="muted">— what does InceptionV3 see?</span>
        </h1>
        <SettingsPanel
          settings={settings}
          onChange={changeSettings}
          backendFromUrl={isBackendChoice(backendFromUrl) ? backendFromUrl : null}
          reports={model.reports}
        />
      </header>
      <main>
        <ModelStatus status={model.status} />
        <DropZone onFiles={queue.addFiles} />
        <Gallery cards={queue.cards} onRemove={queue.removeCard} onClear={queue.clear} />
      </main>
      <footer className="muted">
        Your photos never leave this device: everything runs in your browser.
      </footer>
    </div>
  );
}
