import { onlineManager, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import 'antd/dist/reset.css';
import './touch.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ApiError, setUnauthorizedHandler } from './api';
import './i18n';
import { endSession } from './useMe';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Retrying a 4xx gives the same answer; a network drop or a 5xx may pass on a second try.
      retry: (failures, error) =>
        failures < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
      // Tried even when the browser says it is offline: a page kept on the phone (lastGoodCopy)
      // answers from its copy, another says 网络不可用, where React Query's default paused the
      // query and spun for as long as the signal was gone.
      networkMode: 'always',
    },
    mutations: {
      // A write with no network fails at once with a message (field writes go through the outbox
      // instead), rather than pausing silently and being lost on a reload.
      networkMode: 'always',
    },
  },
});

setUnauthorizedHandler(() => endSession(queryClient));

// React Query takes the browser as online until told otherwise, and is told only by an `offline`
// event: a page opened with no signal (from the phone's copies) never got one, so the signal's
// return changed nothing for it and the copies stayed on screen. Told at start, it reads every
// page shown again when the browser says it is back online.
onlineManager.setOnline(navigator.onLine);

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root');
createRoot(container).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);

// Only the built app is cached for offline use; in development the worker would serve stale modules.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    void navigator.serviceWorker.register('/sw.js');
  });
}
