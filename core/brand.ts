// The brand as templates see it: `{{ brand.name }}`, `{{ brand.logo_url }}`, `{{ brand.colours.primary }}`, the
// postal address every email carries. Built once from the program file; pure.
import { pngTwinOf } from './logo-raster.js';
import type { Program } from './schemas/program.js';

export interface BrandContext {
  name: string;
  legal_name: string;
  sender_name: string;
  /** Absolute URL of the logo's PNG twin (emails; mail clients do not show SVG): "https://go.example.com/assets/logo.png". */
  logo_url: string;
  /** Same-origin logo path (pages): "/assets/logo.svg". */
  logo_path: string;
  logo_alt: string;
  logo_width: number;
  logo_height: number;
  colours: { primary: string; on_primary: string; background: string };
  /** One line: "Example Shop GmbH, Musterstraße 1, 10115 Berlin, Germany". */
  postal_address: string;
  postal_lines: string[];
  support_url: string;
  terms_url: string;
}

/** The program's brand for templates; `publicBaseUrl` (no trailing slash needed) makes the logo URL absolute. */
export function brandContext(program: Program, publicBaseUrl: string): BrandContext {
  const base = publicBaseUrl.replace(/\/+$/, '');
  const lines = [...(program.company.legalName && program.company.legalName !== program.postalAddress[0] ? [program.company.legalName] : []), ...program.postalAddress];
  return {
    name: program.company.name,
    legal_name: program.company.legalName ?? program.company.name,
    sender_name: program.sender.name,
    logo_url: `${base}/assets/${pngTwinOf(program.logo.file)}`,
    logo_path: `/assets/${program.logo.file}`,
    logo_alt: program.logo.alt,
    logo_width: program.logo.width,
    logo_height: program.logo.height,
    colours: { primary: program.colours.primary, on_primary: program.colours.onPrimary, background: program.colours.background },
    postal_address: lines.join(', '),
    postal_lines: lines,
    support_url: program.supportUrl,
    terms_url: program.termsUrl,
  };
}
