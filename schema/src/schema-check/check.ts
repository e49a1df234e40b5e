import { createRequire } from 'node:module';
import type * as Inspector from '@graphql-inspector/core';
import type { Change } from '@graphql-inspector/core';
import { printSchema as printFederationSchema, Supergraph } from '@apollo/federation-internals';
import type * as GraphQL from 'graphql';
import type { GraphQLNamedType, GraphQLSchema } from 'graphql';
import { usesOf, type TrustedClient, type TrustedDocumentsManifest } from '../trusted-documents/manifest.ts';

// graphql and GraphQL Inspector both through require: Node's CommonJS copy of graphql under every
// runner (tsx, vitest), so the schemas built here are of the copy Inspector checks them with
// (it refuses types "from another module or realm").
const require = createRequire(import.meta.url);
const { buildSchema, getNamedType, isEnumType, isInputObjectType, parse, TypeInfo, typeFromAST, visit, visitWithTypeInfo } =
  require('graphql') as typeof GraphQL;
const { CriticalityLevel, diff } = require('@graphql-inspector/core') as typeof Inspector;

/** One change between two supergraphs' API schemas, with the trusted operations it breaks. */
export interface SchemaChange {
  readonly message: string;
  /** Schema coordinate the change is at: `Type`, `Type.field`, `Type.field.argument`, `Enum.VALUE`. */
  readonly path: string | undefined;
  /** The client operations that use what a breaking change changes (empty for the others). */
  readonly brokenOperations: readonly { client: TrustedClient; name: string }[];
}

export interface SchemaCheckReport {
  /** Breaking changes to something a trusted document uses: the check fails on any. */
  readonly breaking: readonly SchemaChange[];
  /** Breaking changes no trusted document uses: safe for this graph's clients, listed. */
  readonly breakingUnused: readonly SchemaChange[];
  readonly dangerous: readonly SchemaChange[];
  readonly safe: readonly SchemaChange[];
}

/** The API schema clients see (federation machinery removed), as this module's graphql builds it. */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  // Through SDL: federation-internals may load another copy of graphql, and schema objects do not cross copies.
  return buildSchema(printFederationSchema(Supergraph.build(supergraphSdl).apiSchema()));
}

/**
 * The schema coordinates a document uses: every field it selects (`Type.field`), every argument it
 * passes (`Type.field.argument`), every type it names or receives, and every field of each input
 * type it sends (a variable of an input type sends whatever its fields allow).
 */
export function coordinatesUsed(schema: GraphQLSchema, text: string): Set<string> {
  const used = new Set<string>();
  const addInput = (type: GraphQLNamedType): void => {
    if (used.has(type.name)) return;
    used.add(type.name);
    if (!isInputObjectType(type)) return;
    for (const field of Object.values(type.getFields())) {
      used.add(`${type.name}.${field.name}`);
      addInput(getNamedType(field.type));
    }
  };
  const typeInfo = new TypeInfo(schema);
  visit(
    parse(text),
    visitWithTypeInfo(typeInfo, {
      Field() {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (!parent || !field) return;
        used.add(parent.name);
        used.add(`${parent.name}.${field.name}`);
        used.add(getNamedType(field.type).name);
      },
      Argument() {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        const argument = typeInfo.getArgument();
        if (!parent || !field || !argument) return;
        used.add(`${parent.name}.${field.name}.${argument.name}`);
        addInput(getNamedType(argument.type));
      },
      VariableDefinition(node) {
        const type = typeFromAST(schema, node.type as never);
        if (type) addInput(getNamedType(type));
      },
      InlineFragment(node) {
        if (node.typeCondition) used.add(node.typeCondition.name.value);
      },
      FragmentDefinition(node) {
        used.add(node.typeCondition.name.value);
      },
    }),
  );
  return used;
}

/** Whether a change at `path` touches what `used` holds: the coordinate, or the owner of what was added or of an enum value. */
function touches(change: Change, schema: GraphQLSchema, used: ReadonlySet<string>): boolean {
  const path = change.path;
  if (!path) return false;
  if (used.has(path)) return true;
  const owner = path.split('.').slice(0, -1).join('.');
  // A required argument or input field added breaks every use of its field or input type.
  if (owner && change.type.endsWith('_ADDED') && used.has(owner)) return true;
  // An enum value removed or changed breaks whoever sends or receives the enum.
  const type = schema.getType(path.split('.')[0]!);
  return type !== undefined && type !== null && isEnumType(type) && used.has(type.name);
}

/**
 * Compares two supergraphs' API schemas with GraphQL Inspector and sorts its changes: breaking
 * ones that a trusted document uses (naming each operation and its client), breaking ones none
 * uses, dangerous and safe ones. Usage is read against the previous schema, the one the clients
 * were written for.
 */
export async function checkSchema({
  previousSupergraph,
  nextSupergraph,
  manifest,
}: {
  previousSupergraph: string;
  nextSupergraph: string;
  manifest: TrustedDocumentsManifest;
}): Promise<SchemaCheckReport> {
  const previous = apiSchemaOf(previousSupergraph);
  const next = apiSchemaOf(nextSupergraph);
  const uses = Object.entries(manifest.documents).map(([hash, text]) => ({
    operations: usesOf(manifest, hash),
    used: coordinatesUsed(previous, text),
  }));
  const changes = await diff(previous, next);
  const report = { breaking: [], breakingUnused: [], dangerous: [], safe: [] } as {
    [K in keyof SchemaCheckReport]: SchemaChange[];
  };
  for (const change of changes) {
    const level = change.criticality.level;
    const brokenOperations =
      level === CriticalityLevel.Breaking
        ? uses.filter(({ used }) => touches(change, previous, used)).flatMap(({ operations }) => operations)
        : [];
    const entry: SchemaChange = { message: change.message, path: change.path, brokenOperations };
    if (level === CriticalityLevel.Breaking) (brokenOperations.length ? report.breaking : report.breakingUnused).push(entry);
    else if (level === CriticalityLevel.Dangerous) report.dangerous.push(entry);
    else report.safe.push(entry);
  }
  return report;
}

/** The report as the command prints it. */
export function formatReport(report: SchemaCheckReport): string {
  const section = (title: string, changes: readonly SchemaChange[], mark: string): string[] =>
    changes.length === 0
      ? []
      : [
          `${title} (${changes.length}):`,
          ...changes.map(
            (c) =>
              `  ${mark} ${c.message}${
                c.brokenOperations.length
                  ? `\n      used by ${c.brokenOperations.map((o) => `${o.client} ${o.name}`).join(', ')}`
                  : ''
              }`,
          ),
        ];
  const lines = [
    ...section('Breaking, used by trusted documents', report.breaking, '✖'),
    ...section('Breaking, used by no trusted document', report.breakingUnused, '!'),
    ...section('Dangerous', report.dangerous, '!'),
    ...section('Safe', report.safe, '✔'),
  ];
  return lines.length ? lines.join('\n') : 'No changes.';
}
