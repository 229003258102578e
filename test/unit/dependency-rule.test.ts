// The dependency rule for core/: the domain stays pure (no other layer, no AWS, no environment, no hidden clock).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CORE = join(ROOT, 'core');

/** Packages core may import (docs/architecture.md); everything else, and every other folder of ours, is refused. */
const ALLOWED_PACKAGES = ['zod', '@date-fns/tz', 'liquidjs', 'nanoid', 'node:crypto'];

function packageOf(specifier: string): string {
  if (specifier.startsWith('node:')) return specifier;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function checkSpecifier(specifier: string, file: string): string | undefined {
  if (specifier.startsWith('.')) {
    const target = resolve(dirname(file), specifier);
    const inside = target === CORE || target.startsWith(CORE + sep);
    return inside ? undefined : `imports ${specifier} (outside core/: ${relative(ROOT, target).split(sep)[0]}/)`;
  }
  return ALLOWED_PACKAGES.includes(packageOf(specifier)) ? undefined : `imports ${specifier} (not allowed in core)`;
}

/** Every rule break in one core source file, as "file:line: what". Comments and strings never count. */
function findCoreViolations(source: string, file: string): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const out: string[] = [];
  const report = (node: ts.Node, what: string) => {
    const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    out.push(`${relative(ROOT, file)}:${line + 1}: ${what}`);
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const bad = checkSpecifier(node.moduleSpecifier.text, file);
      if (bad) report(node, bad);
    }
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      const bad = checkSpecifier(node.argument.literal.text, file);
      if (bad) report(node, bad);
    }
    if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      const bad = checkSpecifier(node.moduleReference.expression.text, file);
      if (bad) report(node, bad);
    }
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const arg = node.arguments[0];
      const isDynamicImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      if ((isDynamicImport || isRequire) && arg) {
        const bad = ts.isStringLiteralLike(arg) ? checkSpecifier(arg.text, file) : 'imports a computed module path';
        if (bad) report(node, bad);
      }
      if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'Date' && callee.name.text === 'now') {
        report(node, 'calls Date.now() (take a Clock or a `now` argument)');
      }
    }
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Date' && (node.arguments === undefined || node.arguments.length === 0)) {
      report(node, 'calls new Date() without an argument (take a Clock or a `now` argument)');
    }
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'process' && node.name.text === 'env') {
      report(node, 'reads process.env (configuration is injected by functions/)');
    }
    if (ts.isElementAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'process' && ts.isStringLiteralLike(node.argumentExpression) && node.argumentExpression.text === 'env') {
      report(node, 'reads process.env (configuration is injected by functions/)');
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

describe('dependency rule for core/', () => {
  it('holds for every .ts file under core/', () => {
    // Prepare
    const files = tsFiles(CORE);
    // Act
    const violations = files.flatMap((f) => findCoreViolations(readFileSync(f, 'utf8'), f));
    // Assess
    expect(files.length).toBeGreaterThan(5);
    expect(violations).toEqual([]);
  });

  describe('the checker', () => {
    const sample = join(CORE, 'sample.ts');
    const check = (source: string) => findCoreViolations(source, sample);

    it.each([
      ["import { DynamoDBClient } from '@aws-sdk/client-dynamodb';", '@aws-sdk/client-dynamodb'],
      ["import { Stack } from 'aws-cdk-lib';", 'aws-cdk-lib'],
      ["import { x } from '../adapters/dynamo/client.js';", 'adapters/'],
      ["import { handler } from '../functions/http/api.js';", 'functions/'],
      ["import { y } from '../infra/app.js';", 'infra/'],
      ["import { z } from '../local/start.js';", 'local/'],
      ["import { c } from '../cli/main.js';", 'cli/'],
      ["export { d } from '../adapters/x.js';", 'adapters/'],
      ["import fs from 'node:fs';", 'node:fs'],
      ["const m = await import('../adapters/x.js');", 'adapters/'],
      ["type T = import('../adapters/x.js').T;", 'adapters/'],
      ['const table = process.env.TABLE_NAME;', 'process.env'],
      ["const table = process['env'].TABLE_NAME;", 'process.env'],
      ['const t = Date.now();', 'Date.now()'],
      ['const d = new Date();', 'new Date()'],
      ['const d = new Date;', 'new Date()'],
    ])('flags %s', (source, needle) => {
      const found = check(source);
      expect(found).toHaveLength(1);
      expect(found[0]).toContain(needle);
    });

    it('reports the line of the violation', () => {
      expect(check("// ok\nimport { z } from 'zod';\nconst t = Date.now();\n")).toEqual(['core/sample.ts:3: calls Date.now() (take a Clock or a `now` argument)']);
    });

    it.each([
      "import { z } from 'zod';",
      "import { TZDate } from '@date-fns/tz';",
      "import { customAlphabet } from 'nanoid';",
      "import { Liquid } from 'liquidjs';",
      "import { createHash } from 'node:crypto';",
      "import { Customer } from './schemas/customer.js';",
      'const d = new Date(Date.parse(at) + 1);',
      'const d = new Date(0);',
      '// core never calls Date.now() or reads process.env',
      "const text = 'new Date() and process.env in a string';",
    ])('accepts %s', (source) => {
      expect(check(source)).toEqual([]);
    });
  });
});
