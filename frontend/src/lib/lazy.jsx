import { useEffect, useState } from 'preact/hooks';

// A component that renders `loaders[module]()`'s export `name` once it has arrived, so a screen's
// code is fetched the first time it is opened (and kept after that).
export function lazyLoader(loaders) {
  const loaded = {};
  return function Lazy({ module, name, ...props }) {
    const [, setReady] = useState(0);
    const key = `${module}.${name}`;
    useEffect(() => {
      if (!loaded[key]) loaders[module]().then((mod) => {
        loaded[key] = mod[name];
        setReady((n) => n + 1);
      });
    }, [key]);
    const Screen = loaded[key];
    return Screen ? <Screen {...props} /> : <p class="muted">Opening…</p>;
  };
}
