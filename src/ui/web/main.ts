/** The page's entry point (loaded by /app/main.js through the import map for preact and htm). */
import { render } from 'preact';
import { html } from 'htm/preact';
import { App } from './app.js';

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(html`<${App} />`, root);
}
