import {
  GraphQLError,
  Kind,
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  visit,
  print,
  valueFromAST,
  type ASTNode,
  type GraphQLField,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';
import { decodePosition, positionToken, subscriptionFieldsOf, type Position, type SubscriptionFields } from '@shop/event-core';
import { SUBGRAPHS } from '@shop/schema';
import type { Change } from './change-feed.ts';

/** The shop's subscription fields: what each follows, and the query field that hydrates its entity. */
const SHOP_FIELDS = subscriptionFieldsOf(SUBGRAPHS);

/**
 * A subscription operation, planned once at subscribe time: which changes it wants (filters are
 * checked before any hydration), and the query that hydrates one change's entity through the
 * federated graph — the client's own selection, moved under `product(id:)` and friends.
 */
export interface SubscriptionPlan {
  readonly entity: string;
  readonly responseKey: string;
  readonly after?: Position;
  /** Whether a change is one it wants: its entity and filters, and past `after`. */
  matches(change: Change): boolean;
  /** Whether a change is one it wants, `after` aside (the same for every plan with its `liveKey`). */
  wants(change: Change): boolean;
  /** The hydration query, or undefined when the selection needs no entity field. */
  readonly query?: DocumentNode;
  /** Its text: with the variables, the key under which subscribers share one hydration. */
  readonly queryText?: string;
  readonly variables: Record<string, unknown>;
  /** Subscribers whose plans have the same key share one hydration of a change. */
  readonly hydrationKey: string;
  /**
   * Subscribers whose plans have the same key get the same payload for a change: the selection
   * under the subscription field (fragments and the variables it uses included), its response key
   * and the hydration. Where they resume from (`after`) is not part of it.
   */
  readonly payloadKey: string;
  /**
   * Plans with the same key want the same changes and build the same payloads; only their `after`
   * may differ. Live, their subscribers share one filter check and one payload.
   */
  readonly liveKey: string;
  /** Builds the payload of one change from the hydration result's data. */
  payload(change: Change, hydrated: Record<string, unknown> | null | undefined): Record<string, unknown>;
}

const ENTITY_VARIABLE = '__entityId';

/**
 * Plans a subscription operation against `schema`, by the subscription fields its subgraphs
 * declare (`fields`, default the shop's); throws BAD_USER_INPUT when it is not one of them.
 */
export function planSubscription(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variableValues: Record<string, unknown>,
  fields: SubscriptionFields = SHOP_FIELDS,
): SubscriptionPlan {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation || operation.operation !== 'subscription')
    throw new GraphQLError('expected a subscription operation', { extensions: { code: 'BAD_USER_INPUT' } });
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((f) => [f.name.value, f]),
  );
  const included = (node: FieldNode | { directives?: FieldNode['directives'] }) =>
    getDirectiveValues(GraphQLSkipDirective, node, variableValues)?.if !== true &&
    getDirectiveValues(GraphQLIncludeDirective, node, variableValues)?.if !== false;

  /** The fields of a selection set, fragments flattened, @skip/@include applied. */
  const fieldsOf = (selectionSet: SelectionSetNode): FieldNode[] =>
    selectionSet.selections.flatMap((selection) => {
      if (!included(selection)) return [];
      if (selection.kind === Kind.FIELD) return [selection];
      if (selection.kind === Kind.INLINE_FRAGMENT) return fieldsOf(selection.selectionSet);
      const fragment = fragments.get(selection.name.value);
      return fragment ? fieldsOf(fragment.selectionSet) : [];
    });

  const [root] = fieldsOf(operation.selectionSet);
  const spec = root && Object.hasOwn(fields, root.name.value) ? fields[root.name.value] : undefined;
  if (!root || !spec)
    throw new GraphQLError(`expected one of ${Object.keys(fields).join(', ')}`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  const fieldDef = schema.getSubscriptionType()?.getFields()[root.name.value];
  if (!fieldDef)
    throw new GraphQLError(`unknown subscription field ${root.name.value}`, { extensions: { code: 'BAD_USER_INPUT' } });
  const args = argumentValues(fieldDef, root, variableValues) as { id?: string; after?: string } & Record<string, unknown>;
  /** The refs it picks changes by: its filter arguments that were given, with their values. */
  const filters = (spec.filters ?? []).map((name) => [name, args[name]] as const);
  let after: Position | undefined;
  try {
    after = args.after ? decodePosition(args.after) : undefined;
  } catch (error) {
    throw new GraphQLError(`after: ${(error as Error).message}; pass a position a payload gave you`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }

  const entityFields = root.selectionSet ? fieldsOf(root.selectionSet).filter((f) => f.name.value === spec.entity) : [];
  let query: DocumentNode | undefined;
  const variables: Record<string, unknown> = {};
  if (entityFields.length > 0) {
    const selections: FieldNode[] = entityFields.map((field) => ({
      kind: Kind.FIELD,
      alias: { kind: Kind.NAME, value: field.alias?.value ?? field.name.value },
      name: { kind: Kind.NAME, value: spec.query },
      arguments: [
        {
          kind: Kind.ARGUMENT,
          name: { kind: Kind.NAME, value: 'id' },
          value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: ENTITY_VARIABLE } },
        },
        ...(spec.includeDeleted
          ? [
              {
                kind: Kind.ARGUMENT as const,
                name: { kind: Kind.NAME as const, value: 'includeDeleted' },
                value: { kind: Kind.BOOLEAN as const, value: true },
              },
            ]
          : []),
      ],
      directives: [],
      ...(field.selectionSet ? { selectionSet: field.selectionSet } : {}),
    }));
    // Keep only the variables and fragments the moved selections use, or validation refuses them.
    const uses = usesOf(entityFields, fragments);
    const variableDefinitions: VariableDefinitionNode[] = [
      {
        kind: Kind.VARIABLE_DEFINITION,
        variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: ENTITY_VARIABLE } },
        type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'ID' } } },
      },
      ...(operation.variableDefinitions ?? []).filter((d) => uses.variables.includes(d.variable.name.value)),
    ];
    for (const name of uses.variables) if (name in variableValues) variables[name] = variableValues[name];
    query = {
      kind: Kind.DOCUMENT,
      definitions: [
        {
          kind: Kind.OPERATION_DEFINITION,
          operation: 'query' as never,
          name: { kind: Kind.NAME, value: 'SubscriptionPayload' },
          variableDefinitions,
          directives: [],
          selectionSet: { kind: Kind.SELECTION_SET, selections },
        },
        ...uses.fragments.map((name) => fragments.get(name)!),
      ],
    };
  }

  const wants = (change: Change): boolean => {
    if (change.entity !== spec.entity) return false;
    if (args.id && change.entityId !== args.id) return false;
    for (const [name, value] of filters) if (value && change.refs?.[name]?.id !== value) return false;
    return true;
  };
  const matches = (change: Change): boolean => wants(change) && isPast(after, change);

  const build = (selectionSet: SelectionSetNode, change: Change, hydrated: Record<string, unknown> | null | undefined) => {
    const result: Record<string, unknown> = {};
    for (const field of fieldsOf(selectionSet)) {
      const key = field.alias?.value ?? field.name.value;
      switch (field.name.value) {
        case '__typename':
          result[key] = spec.typename;
          break;
        case 'kind':
          result[key] = change.kind;
          break;
        case 'position':
          result[key] = encodePositionOf(change);
          break;
        case 'occurredAt':
          result[key] = change.occurredAt;
          break;
        default:
          result[key] = hydrated?.[key] ?? null;
      }
    }
    return result;
  };

  const queryText = query ? print(query) : undefined;
  const hydrationKey = `${queryText ?? ''}|${JSON.stringify(variables)}`;
  // What the payload is built from: the selection (with its fragments and the variables its
  // directives and arguments use) and the hydration; not the subscription field's own arguments.
  const selectionUses = usesOf(root.selectionSet ? [root.selectionSet] : [], fragments);
  const payloadKey = JSON.stringify([
    root.alias?.value ?? root.name.value,
    root.selectionSet ? print(root.selectionSet) : '',
    selectionUses.fragments.map((name) => print(fragments.get(name)!)),
    selectionUses.variables.map((name) => [name, variableValues[name]]),
    hydrationKey,
  ]);
  const liveKey = JSON.stringify([payloadKey, spec.entity, args.id ?? null, ...filters.map(([, value]) => value ?? null)]);
  return {
    entity: spec.entity,
    responseKey: root.alias?.value ?? root.name.value,
    ...(after ? { after } : {}),
    matches,
    wants,
    ...(query ? { query, queryText } : {}),
    variables,
    hydrationKey,
    payloadKey,
    liveKey,
    payload: (change, hydrated) => ({
      [root.alias?.value ?? root.name.value]: root.selectionSet ? build(root.selectionSet, change, hydrated) : null,
    }),
  };
}

/** Whether a change lies past `after` in its partition (no `after`, or none for its partition: yes). */
export function isPast(after: Position | undefined, change: Change): boolean {
  const cut = after?.[change.topic]?.[change.partition];
  return cut === undefined || change.offset >= cut;
}

/** The variables and fragments some nodes use, their fragments' own uses included, in a stable order. */
function usesOf(
  nodes: readonly ASTNode[],
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): { variables: string[]; fragments: string[] } {
  const variables = new Set<string>();
  const used = new Set<string>();
  const collect = (node: ASTNode) =>
    visit(node, {
      Variable: (v) => void variables.add(v.name.value),
      FragmentSpread: (spread) => {
        if (used.has(spread.name.value)) return;
        used.add(spread.name.value);
        const fragment = fragments.get(spread.name.value);
        if (fragment) collect(fragment);
      },
    });
  for (const node of nodes) collect(node);
  return { variables: [...variables].sort(), fragments: [...used].filter((name) => fragments.has(name)).sort() };
}

/** A field's arguments from literals and variables (validation has already checked their types). */
function argumentValues(
  field: GraphQLField<unknown, unknown>,
  node: FieldNode,
  variables: Record<string, unknown>,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const arg of field.args) {
    const given = node.arguments?.find((a) => a.name.value === arg.name);
    const value = given ? valueFromAST(given.value, arg.type, variables) : arg.defaultValue;
    if (value !== undefined) values[arg.name] = value;
  }
  return values;
}

/** A change's position as a token, encoded once however many subscribers carry it. */
const encodePositionOf = (change: Change): string => positionToken(change.position);

export { ENTITY_VARIABLE };
