/** Attributes and properties `el` sets; `on*` functions become listeners, everything else attributes. */
type Props = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;
/** What `el` accepts as children: nodes, text (always as text, never markup), or nothing. */
export type Child = Node | string | number | null | undefined | false;

/**
 * Creates an element. Text children become text nodes, so user data (reasons, labels, ids) can never turn into markup;
 * there is no innerHTML anywhere in the dashboard.
 */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') node.addEventListener(name.slice(2).toLowerCase(), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

/** Appends children (flattened; falsy ones skipped). */
export function append(parent: Node, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces every child of `parent`. */
export function replaceChildren(parent: Element, ...children: (Child | Child[])[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** The element of that id, or an error naming it (the shell is static, so a miss is a bug). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`dashboard: no element #${id}`);
  return node as T;
}
