// Copies the pinned front-end libraries from node_modules/ into static/vendor/ (committed).
// Run `npm ci && npm run vendor` after changing a version in package.json; the site itself
// never runs npm and loads nothing from a CDN.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";

const LIBRARIES = {
  leaflet: {
    from: "node_modules/leaflet",
    files: ["dist/leaflet.js", "dist/leaflet.css", "dist/images", "LICENSE"],
  },
};

for (const [name, { from, files }] of Object.entries(LIBRARIES)) {
  const target = `static/vendor/${name}`;
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const file of files) {
    const base = file.replace(/^dist\//, "");
    cpSync(`${from}/${file}`, `${target}/${base}`, { recursive: true });
    if (base.endsWith(".js") || base.endsWith(".css")) {
      // The source map is not vendored; a dangling reference would fail collectstatic's
      // manifest post-processing (whitenoise) in production.
      const path = `${target}/${base}`;
      writeFileSync(path, readFileSync(path, "utf8").replace(/\n?\/[/*]# sourceMappingURL=.*$/m, ""));
    }
  }
  console.log(`${name} -> ${target}`);
}
