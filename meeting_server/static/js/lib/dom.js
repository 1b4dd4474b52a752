// Building small pieces of a page without HTML strings (text goes in as text, never as markup).

/** A new ``tag`` element with ``props`` (className, textContent, …) and ``children`` appended. */
export const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};
