// Issue 11: `| escape` and `| escape_once` (common in Liquid templates from other tools) must not escape twice under
// the HTML engines' automatic escaping. Expected strings are written out by hand.
import { describe, expect, it } from 'vitest';
import { autoEscapingLiquid, createRenderer, unescapeHtml } from '../../../core/render.js';

const rows: Array<[string, string, string]> = [
  // [name, template, expected HTML]
  ['Tom & Jerry', '{{ name | escape }}', 'Tom &amp; Jerry'],
  ['Tom & Jerry', '{{ name | escape_once }}', 'Tom &amp; Jerry'],
  ['Tom & Jerry', '{{ name }}', 'Tom &amp; Jerry'],
  ['Tom &amp; Jerry', '{{ name | escape_once }}', 'Tom &amp; Jerry'],
  ['<b>Zoë</b>', '{{ name | escape }}', '&lt;b&gt;Zoë&lt;/b&gt;'],
  ['O"Brien', '<a title="{{ name | escape }}">x</a>', '<a title="O&#34;Brien">x</a>'],
  ["O'Brien", '{{ name | escape | upcase }}', 'O&#39;BRIEN'],
  ['A &lt; B', '{{ name | escape_once }}', 'A &lt; B'],
  ['Fish &#38; Chips', '{{ name | escape_once }}', 'Fish &amp; Chips'],
];

describe('explicit escape filters under auto-escaping', () => {
  const engine = autoEscapingLiquid();
  it.each(rows)('%s with %s', async (name, template, expected) => {
    expect(await engine.parseAndRender(template, { name })).toBe(expected);
  });

  it('is what the email/in-app HTML engine does too', async () => {
    const renderer = createRenderer({ read: async () => undefined } as never);
    expect(await renderer.html.parseAndRender('{{ name | escape }}', { name: 'Tom & Jerry' })).toBe('Tom &amp; Jerry');
    // Text parts are never escaped.
    expect(await renderer.text.parseAndRender('{{ name }}', { name: 'Tom & Jerry' })).toBe('Tom & Jerry');
  });

  it('decodes only entities, leaving a bare ampersand alone', () => {
    expect(unescapeHtml('a & b &amp; c &#x3C; &unknown;')).toBe('a & b & c < &unknown;');
  });
});
