/**
 * Checks of an operation that need its variables, so they hold whatever form the client gives its
 * arguments in (literals, variables, variable defaults, schema defaults). They run once the
 * operation is known and before anything executes, on HTTP and on graphql-ws alike.
 */
import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLScalarType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { DateTimeScalar, MoneyScalar } from '@shop/event-core';

/** The arguments that size a list; a field with one costs its selection that many times. */
const SIZE_ARGUMENTS = ['first', 'last'];
/** The page size the subgraphs use when a list field's `first` is absent and has no default in the schema. */
const DEFAULT_PAGE_SIZE = 50;

/** The static cost model of graphql-armor, which the limits were set with: objects 2, scalars 1, depth ×1.5. */
const OBJECT_COST = 2;
const SCALAR_COST = 1;
const DEPTH_FACTOR = 1.5;

type Variables = Readonly<Record<string, unknown>>;

/*
 * Types are told apart by their tag (`GraphQLObjectType`, ...), not with graphql-js's `isObjectType`
 * and friends: those use `instanceof`, and the schema comes from Apollo Server, whose copy of
 * graphql is not always this module's (CommonJS and ESM builds under test runners and bundlers).
 */
type AnyType = { readonly ofType?: AnyType; readonly [Symbol.toStringTag]?: string } & object;
const tagOf = (type: object): string => (type as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] ?? '';
const namedTypeOf = (type: AnyType): GraphQLNamedType => {
  let inner = type;
  while (inner.ofType) inner = inner.ofType;
  return inner as GraphQLNamedType;
};
const fieldsOf = (type: object): Record<string, GraphQLField<unknown, unknown> | GraphQLInputField> | undefined =>
  'getFields' in type && typeof type.getFields === 'function'
    ? (type.getFields() as Record<string, GraphQLField<unknown, unknown> | GraphQLInputField>)
    : undefined;

/** The operation `operationName` names (or the only one), and the document's fragments by name. */
function partsOf(document: DocumentNode, operationName: string | null | undefined) {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((f) => [f.name.value, f]),
  );
  return { operation, fragments };
}

/**
 * The static cost of an operation with its variables: each list is counted at the size its `first`
 * (or `last`) asks for, from a literal, a variable, the variable's default or the schema's default,
 * in that order; absent everywhere, at the subgraphs' default page size. Any field with such an
 * argument counts, so arguments added later (`orderBy`, `search`, `offset`) change nothing here.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Variables = {},
): number {
  const { operation, fragments } = partsOf(document, operationName);
  if (!operation) return 0;
  const rootType =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (!rootType) return 0;
  const defaults = new Map(
    (operation.variableDefinitions ?? []).map((d) => [
      d.variable.name.value,
      d.defaultValue?.kind === Kind.INT ? Number(d.defaultValue.value) : undefined,
    ]),
  );
  const given = (node: ValueNode): unknown => {
    if (node.kind === Kind.VARIABLE) {
      const name = node.name.value;
      return variables[name] ?? defaults.get(name);
    }
    if (node.kind === Kind.INT) return Number(node.value);
    return undefined;
  };

  /** The cost of a selection set on `type`, fragments counted where they are spread (cycles once). */
  const costOf = (selectionSet: SelectionSetNode, type: GraphQLNamedType, spreading: ReadonlySet<string>): number => {
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || spreading.has(fragment.name.value)) continue;
        const on = schema.getType(fragment.typeCondition.name.value) ?? type;
        cost += costOf(fragment.selectionSet, on, new Set([...spreading, fragment.name.value]));
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) ?? type) : type;
        cost += costOf(selection.selectionSet, on, spreading);
        continue;
      }
      const field = fieldsOf(type)?.[selection.name.value] as GraphQLField<unknown, unknown> | undefined;
      if (!selection.selectionSet) {
        cost += DEPTH_FACTOR * SCALAR_COST;
        continue;
      }
      let size = 1;
      const sizeArgument = field?.args.find((a) => SIZE_ARGUMENTS.includes(a.name));
      if (sizeArgument) {
        const node = selection.arguments?.find((a) => a.name.value === sizeArgument.name);
        const value = node ? given(node.value) : undefined;
        const asked = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
        const fallback = typeof sizeArgument.defaultValue === 'number' ? sizeArgument.defaultValue : DEFAULT_PAGE_SIZE;
        size = Math.max(1, Number.isFinite(asked) ? asked : fallback);
      }
      const inner = field ? namedTypeOf(field.type) : type;
      cost += DEPTH_FACTOR * size * (OBJECT_COST + costOf(selection.selectionSet, inner, spreading));
    }
    return cost;
  };
  return costOf(operation.selectionSet, rootType, new Set()) / DEPTH_FACTOR;
}

/** The refusal of an operation over the cost limit. */
export const tooCostly = (cost: number, maxCost: number): GraphQLError =>
  new GraphQLError(
    `Query cost limit of ${maxCost} exceeded, found ${Math.round(cost)}: ask for fewer rows (first) or fewer nested lists`,
    { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } } },
  );

/** The scalars the gateway checks itself, with the subgraphs' own implementations: the same verdict, earlier. */
const CHECKED_SCALARS: ReadonlyMap<string, GraphQLScalarType> = new Map<string, GraphQLScalarType>([
  [MoneyScalar.name, MoneyScalar as GraphQLScalarType],
  [DateTimeScalar.name, DateTimeScalar as GraphQLScalarType],
]);

const badValue = (field: string, error: unknown): GraphQLError =>
  new GraphQLError(`${field}: ${(error as Error).message}`, {
    extensions: { code: 'BAD_USER_INPUT', field, http: { status: 400 } },
  });

/**
 * Checks every value of a checked scalar (`Money`, `DateTime`) in an operation, written in the
 * document or sent as a variable, with the scalar's own rules, and throws `BAD_USER_INPUT` with
 * the field's name for the first one that breaks them: the same answer either way. (The
 * supergraph's scalars accept anything, so without this a literal reaches the query planner, which
 * fails on what it cannot print, such as `1e309`.)
 */
export function checkInputValues(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Variables = {},
): void {
  const { operation, fragments } = partsOf(document, operationName);
  if (!operation) return;

  const defaults = new Map((operation.variableDefinitions ?? []).map((d) => [d.variable.name.value, d.defaultValue]));

  /**
   * Checks a value written at a position of `type` (a GraphQL type, wrapped or not); a variable
   * there is checked with its value (or default) against that position, so it names the field.
   */
  const checkLiteral = (type: AnyType, node: ValueNode, field: string): void => {
    if (node.kind === Kind.NULL) return;
    if (node.kind === Kind.VARIABLE) {
      const name = node.name.value;
      if (name in variables) return checkTypedValue(type, variables[name], field);
      const fallback = defaults.get(name);
      if (fallback) checkLiteral(type, fallback, field);
      return;
    }
    const tag = tagOf(type);
    if (tag === 'GraphQLNonNull') return checkLiteral(type.ofType!, node, field);
    if (tag === 'GraphQLList') {
      for (const item of node.kind === Kind.LIST ? node.values : [node]) checkLiteral(type.ofType!, item, field);
      return;
    }
    if (tag === 'GraphQLInputObjectType') {
      if (node.kind !== Kind.OBJECT) return;
      const fields = fieldsOf(type)!;
      for (const entry of node.fields) {
        const inner = fields[entry.name.value];
        if (inner) checkLiteral(inner.type, entry.value, entry.name.value);
      }
      return;
    }
    const scalar = CHECKED_SCALARS.get((type as GraphQLNamedType).name);
    if (!scalar) return;
    try {
      scalar.parseLiteral(node, undefined);
    } catch (error) {
      throw badValue(field, error);
    }
  };

  const checkTypedValue = (type: AnyType, value: unknown, field: string): void => {
    if (value === null || value === undefined) return;
    const tag = tagOf(type);
    if (tag === 'GraphQLNonNull') return checkTypedValue(type.ofType!, value, field);
    if (tag === 'GraphQLList') {
      for (const item of Array.isArray(value) ? value : [value]) checkTypedValue(type.ofType!, item, field);
      return;
    }
    checkNamedValue(type as GraphQLNamedType, value, field);
  };
  const checkNamedValue = (type: GraphQLNamedType, value: unknown, field: string): void => {
    if (tagOf(type) === 'GraphQLInputObjectType') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
      const fields = fieldsOf(type)!;
      for (const [name, inner] of Object.entries(value)) {
        const definition = fields[name];
        if (definition) checkTypedValue(definition.type, inner, name);
      }
      return;
    }
    const scalar = CHECKED_SCALARS.get(type.name);
    if (!scalar) return;
    try {
      scalar.parseValue(value);
    } catch (error) {
      throw badValue(field, error);
    }
  };

  /** Literals in arguments, walking the selections with their types (fragments once each). */
  const seen = new Set<string>();
  const walk = (selectionSet: SelectionSetNode, type: object): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || seen.has(fragment.name.value)) continue;
        seen.add(fragment.name.value);
        walk(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) ?? type);
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(
          selection.selectionSet,
          selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) ?? type) : type,
        );
        continue;
      }
      const field = fieldsOf(type)?.[selection.name.value] as GraphQLField<unknown, unknown> | undefined;
      if (!field) continue;
      for (const argument of selection.arguments ?? []) {
        const definition = field.args.find((a) => a.name === argument.name.value);
        if (definition) checkLiteral(definition.type, argument.value, argument.name.value);
      }
      if (selection.selectionSet) walk(selection.selectionSet, namedTypeOf(field.type));
    }
  };
  const rootType =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (rootType) walk(operation.selectionSet, rootType);
}
