// `npm run assets`: render the program logo's PNG twin for emails (core/logo-raster.ts) with resvg, at twice its
// displayed width, and record the SVG's digest in templates/assets/raster.json. Run it after changing the logo.
// Exit codes: 0 written (or already current), 1 a problem (named on stderr).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { loadProgramFile, programFileIn } from '../adapters/campaign-files.js';
import { REPO_ROOT } from '../local/definition.js';
import { pngTwinOf, RASTER_MANIFEST, RASTER_SCALE, svgDigest } from '../core/logo-raster.js';

const assets = join(REPO_ROOT, 'templates', 'assets');
const loaded = await loadProgramFile(programFileIn(join(REPO_ROOT, 'campaigns')), { templatesDir: join(REPO_ROOT, 'templates'), ignoreRaster: true });
if (!loaded.ok) {
  for (const p of loaded.problems) process.stderr.write(`${p.file}: ${p.path}: ${p.message}\n`);
  process.exit(1);
}
const { program } = loaded;
const svg = await readFile(join(assets, program.logo.file));
const png = new Resvg(svg, { fitTo: { mode: 'width', value: program.logo.width * RASTER_SCALE }, font: { loadSystemFonts: true } }).render().asPng();
const twin = pngTwinOf(program.logo.file);
await writeFile(join(assets, twin), png);
const manifestFile = join(assets, RASTER_MANIFEST);
const manifest = JSON.parse(await readFile(manifestFile, 'utf8').catch(() => '{}')) as Record<string, string>;
manifest[program.logo.file] = svgDigest(svg);
await writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
process.stdout.write(`templates/assets/${twin}: ${png.length} bytes, ${program.logo.width * RASTER_SCALE} px wide, from ${program.logo.file}\n`);
