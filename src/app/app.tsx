import {
  lazy,
  Suspense,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { DropZone } from '../features/drop-zone/drop-zone';
import { LiveCamera } from '../features/camera/live-camera';
import { ExplainButton } from '../features/explain/explain-button';
import { PhotoLibraryView } from '../features/gallery/library/library-view';
import type { Card, GalleryAction } from '../features/gallery/gallery-state';
import { useLibraryLink, usePhotoLibrary } from '../features/gallery/library/use-photo-library';
import { forgetModel, rememberedModel, rememberModel } from '../lib/model-selection';
import { comparisonModel, rememberComparison, useModelReachable } from '../lib/comparison-model';
import { DiagnosticsPanel } from '../features/diagnostics/diagnostics-panel';
import { ModelStatus } from '../features/model-status/model-status';
import { PwaStatus, StorageInfo } from '../features/pwa/pwa-status';
import { ResultsExport } from '../features/results-export/results-export';
import { usePwa } from '../features/pwa/use-pwa';
import { AlsoImageNetToggle } from '../features/settings/also-imagenet-toggle';
import { SettingsPanel } from '../features/settings/settings-panel';
import { useSettings } from '../features/settings/use-settings';
import { isBackendChoice } from '../inference/protocol';
import { useStore, type Store } from '../lib/store';
import { entryFromSearch, INCEPTION_V3_IMAGENET, type ModelEntry } from '../models/registry';
import { getInferenceClient } from './inference-client';
import { tuningFromSearch } from './tuning-params';
import { useClassificationQueue } from './use-classification-queue';
import { useModel } from './use-model';

// The tabs other than Classify load on first use (issue 18: the first visit's main thread
// evaluates only what the first screen shows; Teach alone brings chart.js). The service worker
// precaches their chunks like the rest of the build, so they open offline too.
const ModelLibrary = lazy(() =>
  import('../features/model-library/model-library').then((m) => ({ default: m.ModelLibrary })),
);
const ZooList = lazy(() =>
  import('../features/zoo/zoo-list').then((m) => ({ default: m.ZooList })),
);
const CompareView = lazy(() =>
  import('../features/compare/compare-view').then((m) => ({ default: m.CompareView })),
);
const ModelInspector = lazy(() =>
  import('../features/model-inspector/model-inspector').then((m) => ({
    default: m.ModelInspector,
  })),
);
const TeachView = lazy(() =>
  import('../features/teach/teach-view').then((m) => ({ default: m.TeachView })),
);

/** The worker resolves URLs against its own script, so it is handed absolute ones. */
function absolute(entry: ModelEntry): ModelEntry {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(entry.url)
    ? entry
    : { ...entry, url: new URL(entry.url, location.href).href };
}

/**
 * The export buttons with the queue's cards, subscribed here so a photo's result draws them and
 * not the whole app.
 */
function QueueResultsExport({ cards }: { cards: Store<Card[], GalleryAction> }) {
  return <ResultsExport cards={useStore(cards)} />;
}

/** Compare, offered the files of Classify's cards (subscribed here, as above). */
function CompareWithClassifyPhotos({
  cards,
  ...props
}: Omit<Parameters<typeof CompareView>[0], 'classifyPhotos'> & {
  cards: Store<Card[], GalleryAction>;
}) {
  const all = useStore(cards);
  const files = useMemo(() => all.flatMap((c) => (c.file ? [c.file] : [])), [all]);
  return <CompareView {...props} classifyPhotos={files} />;
}

/** One top-level view of the app. */
interface View {
  id: string;
  title: string;
  render: () => ReactNode;
}

/** The shell: title, settings and model status on top, then one view at a time. */
export function App() {
  const client = getInferenceClient();
  // A model kept in this browser and chosen last comes back after a reload (unless ?model=).
  const [entry, setEntry] = useState<ModelEntry>(() =>
    absolute(rememberedModel(location.search) ?? entryFromSearch(location.search, location.href)),
  );
  const backendFromUrl = useMemo(() => new URLSearchParams(location.search).get('backend'), []);
  const debug = useMemo(() => new URLSearchParams(location.search).has('debug'), []);
  // ?resize=keras|squash|center-crop picks the resize mode for this visit.
  const [settings, changeSettings] = useSettings(location.search);
  const backend = isBackendChoice(backendFromUrl) ? backendFromUrl : settings.backend;
  const [viewId, setViewId] = useState('classify');

  // Performance switches from the address (?threads=off, ?fold=off, ?measure=all) and the
  // Settings → "Measure again" counter.
  const tuning = useMemo(() => tuningFromSearch(location.search), []);
  const [remeasure, setRemeasure] = useState(0);
  const model = useModel(client, entry, backend, tuning, remeasure);
  // A remembered model that is gone from this browser is not offered again on the next visit.
  const gone = model.status.state === 'error' && model.errorCode === 'model-deleted';
  useEffect(() => {
    if (gone) forgetModel(entry.id);
  }, [gone, entry.id]);
  // The default model's weights are not on this server (a first visit to a fresh host): the
  // status welcomes the user instead of showing a developer's error.
  const defaultMissing =
    model.status.state === 'error' &&
    entry.id === INCEPTION_V3_IMAGENET.id &&
    model.errorCode === 'model-missing';
  // Remembered for this visit, so Models does not offer it after another model was opened.
  const [builtinMissing, setBuiltinMissing] = useState(false);
  if (defaultMissing && !builtinMissing) setBuiltinMissing(true);
  // The ImageNet model offered next to a custom model: ?model= for this visit, else the last
  // ImageNet model that ran here (the one a Teach model was trained on), never a silent switch.
  const pageImagenet = useMemo(() => absolute(entryFromSearch(location.search, location.href)), []);
  const [imagenet, setImagenet] = useState<ModelEntry>(() =>
    new URLSearchParams(location.search).has('model')
      ? pageImagenet
      : comparisonModel(pageImagenet),
  );
  if (
    model.ready?.labelSource === 'imagenet' &&
    model.ready.id === entry.id &&
    imagenet.id !== entry.id
  ) {
    setImagenet(entry);
  }
  useEffect(() => rememberComparison(imagenet), [imagenet]);
  const custom =
    model.ready && model.ready.labelSource !== 'imagenet' && model.ready.id !== imagenet.id
      ? model.ready
      : null;
  // The photo library (Classify) keeps every finished photo; the queue pauses and reports to it.
  const libraryLink = useLibraryLink();
  // Offered only when that model can load: not the missing default, and its files are there.
  const reachable = useModelReachable(imagenet.url, custom !== null);
  const comparable =
    custom !== null &&
    reachable === 'yes' &&
    !(builtinMissing && imagenet.id === INCEPTION_V3_IMAGENET.id);
  const queue = useClassificationQueue(
    client,
    model.ready,
    settings.resizeMode,
    comparable && settings.alsoImageNet ? imagenet : null,
    {
      paused: libraryLink.paused,
      onSettled: libraryLink.onSettled,
      loadingInputSize: model.ready ? null : entry.inputSize,
    },
  );
  const photoLibrary = usePhotoLibrary(client, queue, libraryLink);
  const pwa = usePwa({
    modelUrl: entry.url,
    modelState: model.status.state,
    onSharedFiles: queue.addFiles,
  });

  /**
   * Makes another model the active one (the model library and Teach call this; the queue waits
   * for it). Once it is ready, a model kept in this browser is remembered for the next visit and
   * any other choice forgets the remembered one; a choice that fails to load changes nothing.
   */
  const chosen = useRef<string | null>(null);
  const selectModel = useCallback((next: ModelEntry) => {
    chosen.current = next.id;
    setEntry(absolute(next));
  }, []);
  useEffect(() => {
    if (!model.ready || model.ready.id !== chosen.current || model.ready.id !== entry.id) return;
    chosen.current = null;
    rememberModel(entry);
  }, [model.ready, entry]);

  // Stable between results, so the gallery's memoised cards draw again only when they change.
  const explainAction = useCallback(
    (card: Card) =>
      card.file ? (
        <ExplainButton
          card={{ ...card, file: card.file }}
          client={client}
          model={model.ready}
          resizeMode={settings.resizeMode}
        />
      ) : null,
    [client, model.ready, settings.resizeMode],
  );
  const classifyView: View = {
    id: 'classify',
    title: 'Classify',
    render: () => (
      <>
        <DropZone onFiles={queue.addFiles} />
        <LiveCamera
          client={client}
          model={model.ready}
          resizeMode={settings.resizeMode}
          onCapture={queue.addFiles}
        />
        {custom && (
          <AlsoImageNetToggle
            checked={settings.alsoImageNet}
            onChange={(alsoImageNet) => changeSettings({ ...settings, alsoImageNet })}
            activeName={custom.name}
            imagenetName={imagenet.name}
            available={comparable}
            numClasses={custom.numClasses}
          />
        )}
        <PhotoLibraryView
          library={photoLibrary}
          toolbarActions={<QueueResultsExport cards={queue.store} />}
          needsModel={
            model.status.state === 'error' ? (
              <p>
                No model is loaded, so these photos wait.{' '}
                <button
                  type="button"
                  className="button--secondary"
                  onClick={() => setViewId('models')}
                >
                  Choose a model
                </button>{' '}
                <span className="muted">
                  (a zoo model, a Keras .h5 file or a TensorFlow.js folder): they are classified as
                  soon as it is ready.
                </span>
              </p>
            ) : (
              <p>The model is still loading: these photos are classified as soon as it is ready.</p>
            )
          }
          renderActions={explainAction}
        />
      </>
    ),
  };
  const libraryView: View = {
    id: 'models',
    title: 'Models',
    render: () => (
      <>
        <ModelLibrary
          client={client}
          activeId={model.ready?.id ?? null}
          onSelect={selectModel}
          builtinMissing={builtinMissing}
        />
        <ZooList activeId={model.ready?.id ?? null} onSelect={selectModel} />
      </>
    ),
  };
  const compareView: View = {
    id: 'compare',
    title: 'Compare',
    render: () => (
      <CompareWithClassifyPhotos
        cards={queue.store}
        client={client}
        resizeMode={settings.resizeMode}
      />
    ),
  };
  const inspectView: View = {
    id: 'inspect',
    title: 'Inspect',
    render: () => <ModelInspector client={client} model={model.ready} />,
  };
  const teachView: View = {
    id: 'teach',
    title: 'Teach',
    render: () => (
      <TeachView
        client={client}
        model={model.ready}
        onUseModel={selectModel}
        builtinMissing={builtinMissing}
      />
    ),
  };
  const views: View[] = [classifyView, libraryView, inspectView, teachView, compareView];
  const view = views.find((v) => v.id === viewId) ?? classifyView;

  return (
    <div className="app">
      <header className="app__header">
        <h1>
          Inception Lens{' '}
          <span className="muted">— what does {model.ready?.name ?? 'your model'} see?</span>
        </h1>
        <SettingsPanel
          settings={settings}
          onChange={changeSettings}
          backendFromUrl={isBackendChoice(backendFromUrl) ? backendFromUrl : null}
          reports={model.reports}
          onRemeasure={backend === 'auto' ? () => setRemeasure((n) => n + 1) : undefined}
        >
          <StorageInfo storage={pwa.storage} onRefresh={() => void pwa.refreshStorage()} />
          <DiagnosticsPanel
            measure={() => client.call('memory', {})}
            activeBackend={model.status.state === 'ready' ? model.status.backend : null}
            engine={model.status.state === 'ready' ? (model.status.engine ?? null) : null}
            onRestart={() => client.restart('restarted on request')}
            {...(debug
              ? {
                  onSimulateLoss: () =>
                    client.call('simulate-backend-loss', {}).then(() => undefined),
                }
              : {})}
          />
        </SettingsPanel>
      </header>
      <PwaStatus
        offline={pwa.offline}
        needRefresh={pwa.needRefresh}
        onUpdate={() => void pwa.update()}
        canInstall={pwa.canInstall}
        onInstall={() => void pwa.install()}
      />
      <ModelStatus
        status={model.status}
        stored={entry.url.startsWith('indexeddb://')}
        {...(model.retry ? { onRetry: model.retry } : {})}
        {...(defaultMissing
          ? {
              firstVisit: {
                onOpenModels: () => setViewId('models'),
                onTeach: () => setViewId('teach'),
              },
            }
          : {})}
      />
      {views.length > 1 && (
        <nav className="tabs" role="tablist" aria-label="Views">
          {views.map((v) => (
            <button
              key={v.id}
              type="button"
              role="tab"
              id={`tab-${v.id}`}
              aria-selected={v.id === view.id}
              aria-controls={`view-${v.id}`}
              className={v.id === view.id ? 'tab tab--active' : 'tab'}
              onClick={() => setViewId(v.id)}
            >
              {v.title}
            </button>
          ))}
        </nav>
      )}
      <main
        id={`view-${view.id}`}
        role={views.length > 1 ? 'tabpanel' : undefined}
        aria-labelledby={`tab-${view.id}`}
      >
        <Suspense
          fallback={
            <p className="muted" role="status">
              Opening {view.title}…
            </p>
          }
        >
          {view.render()}
        </Suspense>
      </main>
      <footer className="muted">
        Your photos never leave this device: everything runs in your browser. ·{' '}
        <span data-testid="app-version">v{__APP_VERSION__}</span>
      </footer>
    </div>
  );
}
