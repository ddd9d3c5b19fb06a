// Entry of the console bundle (/agent.js): defines <agent-console> and mounts one into #app or the body.
import './console/agent-console.ts';

function mount(): void {
  if (document.querySelector('agent-console')) return;
  const host = document.getElementById('app') ?? document.body;
  host.append(document.createElement('agent-console'));
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount, { once: true });
else mount();
