// The email logo: mail clients such as Gmail do not show SVG images, so emails load a PNG twin of the program's SVG
// logo (`logo.svg` -> `logo.png`, rendered at twice the displayed size for high-density screens by `npm run assets`).
// Pages keep the SVG. The twin records the SHA-256 of the SVG it was rendered from in `assets/raster.json`, so a
// changed SVG with a stale PNG is caught by `asks validate` and the build. Pure: names and hashes only.
import { createHash } from 'node:crypto';

/** The raster twin's file name: "logo.svg" -> "logo.png". */
export const pngTwinOf = (svgFile: string): string => svgFile.replace(/\.svg$/, '.png');

/** `assets/raster.json`: for each SVG, the SHA-256 (hex) of the source its PNG twin was rendered from. */
export const RASTER_MANIFEST = 'raster.json';

export const svgDigest = (svg: string | Buffer): string => createHash('sha256').update(svg).digest('hex');

/** Rendered width in pixels: twice the displayed width (2x screens). */
export const RASTER_SCALE = 2;
