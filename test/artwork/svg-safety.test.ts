/** SVGs that could reach outside the document are refused; self-contained ones pass. */
import { svgRefusal } from '../../src/integrations/images/svg-safety.js';

const svg = (body: string, attrs = '') =>
  `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"${attrs}>${body}</svg>`;

describe('svgRefusal', () => {
  it.each([
    ['a fragment reference', svg('<use href="#a"/><use xlink:href="#b"/>')],
    ['an inline PNG', svg('<image href="data:image/png;base64,iVBORw0KGgo="/>')],
    ['a url(#gradient) fill', svg('<rect fill="url(#g)" style="stroke: url( \'#h\' )"/>')],
    ['text that mentions http', svg('<text>see https://shop.example</text>')],
  ])('accepts %s', (_what, text) => {
    expect(svgRefusal(text)).toBeNull();
  });

  it.each([
    ['an external href', svg('<image href="https://evil.example/x.png"/>'), 'external reference'],
    ['an external xlink:href', svg('<use xlink:href="file:///etc/passwd#x"/>'), 'external reference'],
    [
      'a custom xlink prefix',
      svg('<use a:href="//evil.example/s.svg#x"/>', ' xmlns:a="http://www.w3.org/1999/xlink"'),
      'external reference',
    ],
    [
      'an entity-encoded scheme',
      svg('<image href="&#104;ttps://evil.example/x.png"/>'),
      'external reference',
    ],
    [
      'a fragment hidden after whitespace trickery',
      svg('<image href=" &#x20;http://evil.example/#a"/>'),
      'external reference',
    ],
    [
      'a nested SVG data URI',
      svg('<image href="data:image/svg+xml;base64,PHN2Zz4="/>'),
      'external reference',
    ],
    [
      'a quoted > before the href',
      svg('<image title=">" href="http://evil.example/x.png"/>'),
      'external reference',
    ],
    ['a script', svg('<script>alert(1)</script>'), '<script>'],
    ['a prefixed script', svg('<s:script xmlns:s="http://www.w3.org/2000/svg">x</s:script>'), '<script>'],
    ['a foreignObject', svg('<foreignObject><div/></foreignObject>'), '<foreignObject>'],
    [
      'a DOCTYPE',
      `<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>${svg('<text>&x;</text>')}`,
      'DOCTYPE',
    ],
    ['an external stylesheet', `<?xml-stylesheet href="http://evil.example/s.css"?>${svg('')}`, 'stylesheet'],
    ['a CSS @import', svg('<style>@import url(http://evil.example/s.css);</style>'), '@import'],
    ['an external url()', svg('<rect style="fill: url(http://evil.example/p.svg#g)"/>'), 'url()'],
    ['an event handler', svg('<rect onload="alert(1)"/>'), 'event handler'],
  ])('refuses %s', (_what, text, reason) => {
    expect(svgRefusal(text)).toContain(reason);
  });
});
