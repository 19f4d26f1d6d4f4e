/**
 * The manual's links hold: every relative link and anchor in README.md and docs/ resolves, with anchors as
 * GitHub makes them from headings. Also what the README promises a newcomer: it stays a front door (at most
 * 250 lines) and keeps the two quick-start commands word for word.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { anchors, brokenLinks, githubSlug, headings, headingText, links } from '../support/markdown.js';
import { tempDir } from '../support/temp.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** README.md and every Markdown file under docs/, relative to the repository. */
function manualFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => join('docs', name))
    .sort();
  return ['README.md', ...docs];
}

describe('docs: links', () => {
  it('every relative link and anchor in README.md and docs/ resolves', () => {
    const files = manualFiles();
    assert.ok(files.length >= 8, `expected README.md and the docs/ pages, found ${files.join(', ')}`);
    const broken = brokenLinks(ROOT, files);
    assert.deepEqual(broken, [], `broken links:\n${broken.join('\n')}`);
  });

  it('the README links to every page in docs/', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const linked = new Set(links(readme).map((l) => l.target.split('#')[0]));
    const missing = manualFiles()
      .filter((f) => f.startsWith('docs/'))
      .filter((f) => !linked.has(f));
    assert.deepEqual(missing, [], 'pages a newcomer cannot reach from the README');
  });
});

describe('docs: the README is a front door', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  it('is at most 250 lines', () => {
    const lines = readme.trimEnd().split('\n').length;
    assert.ok(lines <= 250, `README.md has ${lines} lines; move detail into docs/`);
  });
  it('keeps both quick-start commands literally', () => {
    assert.ok(readme.includes('npm install && npm run demo'));
    assert.ok(readme.includes('npm install && npm test'));
  });
});

describe('docs: GitHub anchors', () => {
  it('slugs headings as GitHub does', () => {
    const slug = (source: string): string => githubSlug(headingText(source));
    assert.equal(slug('Events (JSON Lines)'), 'events-json-lines');
    assert.equal(slug('`wsdiag proxy`'), 'wsdiag-proxy');
    assert.equal(slug('`--enforce`'), '--enforce');
    assert.equal(slug('`wsdiag view` and `proxy --ui`: the dashboard'), 'wsdiag-view-and-proxy---ui-the-dashboard');
    assert.equal(slug('Message types (1003): what each endpoint accepts'), 'message-types-1003-what-each-endpoint-accepts');
    assert.equal(slug('How to add… a **rule**'), 'how-to-add-a-rule');
    assert.equal(slug('snake_case and [a link](x.md)'), 'snake_case-and-a-link');
    assert.equal(slug('Sécurité — TLS'), 'sécurité--tls');
  });

  it('numbers repeated headings and ignores headings in code blocks', () => {
    const doc = ['# Title', '## Usage', '```sh', '# not a heading', '```', '## Usage', '### Usage', '<a id="custom"></a>'].join('\n');
    assert.deepEqual(
      headings(doc).map((h) => h.slug),
      ['title', 'usage', 'usage-1', 'usage-2'],
    );
    assert.deepEqual([...anchors(doc)].sort(), ['custom', 'title', 'usage', 'usage-1', 'usage-2']);
  });
});

describe('docs: the link checker finds what is broken', () => {
  const dir = tempDir('docs').path;
  mkdirSync(join(dir, 'docs'));
  writeFileSync(join(dir, 'LICENSE'), 'MIT\n');
  writeFileSync(join(dir, 'docs', 'b.md'), '# B\n\n## Known part\n');
  writeFileSync(
    join(dir, 'README.md'),
    [
      '# A',
      '[ok](docs/b.md) [ok anchor](docs/b.md#known-part) [self](#a) [file](LICENSE) [web](https://example.com/x.md)',
      '![image](docs/missing.png)',
      '[missing file](docs/c.md) [missing anchor](docs/b.md#unknown) [own anchor](#nowhere)',
      '[outside](../elsewhere.md)',
      'A [link with `code`](docs/b.md#known-part) and `[not a link](nowhere.md)` in code.',
      '```md',
      '[in a code block](nowhere.md)',
      '```',
      '[ref]: docs/gone.md',
    ].join('\n'),
  );

  it('reports each broken link once, with its line, and nothing else', () => {
    assert.deepEqual(brokenLinks(dir, ['README.md']), [
      'README.md:3: docs/missing.png: no such file',
      'README.md:4: docs/c.md: no such file',
      'README.md:4: docs/b.md#unknown: no anchor #unknown in docs/b.md',
      'README.md:4: #nowhere: no anchor #nowhere in README.md',
      'README.md:5: ../elsewhere.md: leaves the repository',
      'README.md:10: docs/gone.md: no such file',
    ]);
  });
});
