/**
 * Shows a pass face SVG document (from the server's own `appleFaceSvg`/`googleFaceSvg`) inline,
 * so its images load from same-origin URLs with the session cookie. The text is parsed as XML
 * and sanitised before it enters the page: no scripts, no foreign content, no event handlers,
 * links only to fragments, same-origin paths and image data.
 */
import { useLayoutEffect, useRef } from 'react';

const FORBIDDEN = new Set(['script', 'foreignobject', 'iframe', 'embed', 'object', 'a', 'animate', 'set']);

function safeHref(value: string): boolean {
  const v = value.trim();
  return (
    v.startsWith('#') ||
    /^data:image\/(png|jpeg|webp|gif);/i.test(v) ||
    /^blob:/i.test(v) ||
    /^\/(?!\/)/.test(v)
  );
}

/** The sanitised <svg> element of an SVG document, or null when it does not parse. */
export function sanitizeSvg(markup: string): SVGSVGElement | null {
  const doc = new DOMParser().parseFromString(markup, 'image/svg+xml');
  const root = doc.documentElement;
  if (root.nodeName.toLowerCase() !== 'svg' || doc.getElementsByTagName('parsererror').length > 0)
    return null;
  const walker = doc.createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
  const drop: Element[] = [];
  for (let node = walker.currentNode as Element | null; node; node = walker.nextNode() as Element | null) {
    if (FORBIDDEN.has(node.localName.toLowerCase())) {
      drop.push(node);
      continue;
    }
    for (const attr of [...node.attributes]) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) node.removeAttribute(attr.name);
      else if ((name === 'href' || name === 'xlink:href') && !safeHref(attr.value))
        node.removeAttribute(attr.name);
      else if (name === 'style' && /url\(|expression|@import/i.test(attr.value))
        node.removeAttribute(attr.name);
    }
  }
  for (const el of drop) el.remove();
  for (const style of [...root.getElementsByTagName('style')]) style.remove();
  return document.importNode(root, true) as unknown as SVGSVGElement;
}

export interface SvgFaceProps {
  /** The SVG document text. */
  svg: string;
  /** What the image shows, for screen readers. */
  label: string;
  /** `data-face` attribute for tests and the benchmark. */
  face: 'apple' | 'google';
}

/** A pass face: one `role="img"` element with an accessible name; the SVG inside is presentational. */
export function SvgFace({ svg, label, face }: SvgFaceProps) {
  const box = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const node = sanitizeSvg(svg);
    if (!node) {
      el.textContent = 'The preview could not be drawn.';
      return;
    }
    node.setAttribute('aria-hidden', 'true');
    node.setAttribute('focusable', 'false');
    node.removeAttribute('role');
    node.removeAttribute('aria-label');
    node.classList.add('face-svg');
    el.replaceChildren(node);
  }, [svg]);
  return <div ref={box} className={`face face-${face}`} role="img" aria-label={label} data-face={face} />;
}
