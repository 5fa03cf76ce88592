import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { bootstrapSession } from './lib/session';
import { useApprovals } from './stores/approvals';
import { useSession } from './stores/session';
import { App } from './App';
import './styles.css';

// Before anything renders: take the token out of the address bar.
const source = bootstrapSession();
void useSession.getState().init(source);
// The Inbox is the first screen: fetch it alongside the token check instead of after it.
if (source.token) void useApprovals.getState().load();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
