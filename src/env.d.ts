/// <reference types="vite-plugin-pwa/vanillajs" />
/** Version and build id, set by vite.config.ts. */
declare const __APP_VERSION__: string;
