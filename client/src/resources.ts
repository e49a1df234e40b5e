import { inspect, type InspectOptionsStylized } from 'node:util';
import { NotFoundError } from './errors.ts';
import type { ChangeKind, CreateCustomerInput, CreateProductInput, CreatePurchaseInput } from './generated/graphql.ts';
import type { CustomerData, MutationOptions, Operations, ProductData, PurchaseData } from './operations.ts';
import type { RequestOptions } from './transport.ts';
import type { WatchOptions } from './subscriptions.ts';

/** Options of `list()`. */
export interface ListOptions extends RequestOptions {
  /** Items per request, 1 to 500. Default 100. */
  readonly pageSize?: number;
}

/** Options of `save()`, `delete()` and the static `update()`/`delete()`. */
export interface WriteOptions extends MutationOptions {
  /** Fail with `ConflictError` unless the entity is still at this version. */
  readonly expectedVersion?: number | undefined;
}

/** One change delivered by `watch()`: what happened, the entity after it, and where to resume. */
export interface Change<T> {
  readonly kind: ChangeKind;
  readonly position: string;
  readonly occurredAt: string;
  readonly entity: T;
}

/**
 * The result of `list()`: `for await (const p of Product.list())` fetches page by page as you go;
 * `await Product.list()` fetches every page and gives an array (what the shell shows as a table).
 */
export class ResourceList<T> implements AsyncIterable<T>, PromiseLike<T[]> {
  readonly #pages: () => AsyncGenerator<readonly T[]>;

  constructor(pages: () => AsyncGenerator<readonly T[]>) {
    this.#pages = pages;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.#pages()) yield* page;
  }

  /** Every item of every page. */
  async toArray(): Promise<T[]> {
    const items: T[] = [];
    for await (const item of this) items.push(item);
    return items;
  }

  // Thenable on purpose, like Stripe's list(): `await` resolves to an array, never to this object.
  then<R1 = T[], R2 = never>(
    onfulfilled?: ((value: T[]) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.toArray().then(onfulfilled, onrejected);
  }
}

interface Connection<TData> {
  readonly nodes: readonly TData[];
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
}

async function* pages<TData, T>(
  fetchPage: (first: number, after: string | undefined) => Promise<Connection<TData>>,
  wrap: (data: TData) => T,
  pageSize: number,
): AsyncGenerator<readonly T[]> {
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 500)
    throw new RangeError(`pageSize must be 1 to 500, got ${pageSize}`);
  let after: string | undefined;
  for (;;) {
    const page = await fetchPage(pageSize, after);
    yield page.nodes.map(wrap);
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return;
    after = page.pageInfo.endCursor;
  }
}

let defaultOperations: (() => Operations) | undefined;

/** Sets where the unbound `Product`, `Customer` and `Purchase` classes get their client (see `index.ts`). */
export function setDefaultOperations(factory: () => Operations): void {
  defaultOperations = factory;
}

/** Shared by the three resources: which client they talk to. */
abstract class Resource<TData extends { readonly id: string }> {
  /** Set on the subclasses `createShopClient()` makes; the plain classes use the default client. */
  protected static boundOperations: Operations | undefined;

  /** The operations the static verbs of this class use. */
  protected static get operations(): Operations {
    const bound = this.boundOperations ?? defaultOperations?.();
    if (!bound) throw new Error('no client configured: use createShopClient() or import from the package index');
    return bound;
  }

  #data: TData;
  readonly #operations: Operations;

  /** Wraps data the server returned; use the static verbs (`create`, `retrieve`, `list`) rather than `new`. */
  constructor(data: TData, operations: Operations) {
    this.#data = data;
    this.#operations = operations;
  }

  get id(): string {
    return this.#data.id;
  }

  protected get data(): TData {
    return this.#data;
  }

  protected set data(data: TData) {
    this.#data = data;
  }

  protected get ops(): Operations {
    return this.#operations;
  }

  /** The entity as plain data (with unsaved changes), for `JSON.stringify`. */
  abstract toJSON(): Record<string, unknown>;

  /** What the shell prints: the class name and the interesting fields. */
  protected abstract summary(): Record<string, unknown>;

  [inspect.custom](_depth: number, options: InspectOptionsStylized): string {
    return `${this.constructor.name.replace(/^Bound/, '')} ${inspect(this.summary(), { ...options, depth: 2, breakLength: Infinity })}`;
  }
}

/** A product or a customer: editable, versioned, deletable. */
abstract class VersionedResource<
  TData extends { readonly id: string; readonly version: number },
  TInput extends object,
> extends Resource<TData> {
  #changes: Partial<TInput> = {};

  get version(): number {
    return this.data.version;
  }

  /** The fields set since the last load or save. */
  get changes(): Readonly<Partial<TInput>> {
    return { ...this.#changes };
  }

  protected field<K extends keyof TInput & keyof TData>(name: K): TData[K] {
    return (name in this.#changes ? this.#changes[name] : this.data[name]) as TData[K];
  }

  protected change<K extends keyof TInput>(name: K, value: TInput[K]): void {
    this.#changes[name] = value;
  }

  protected abstract sendUpdate(input: Partial<TInput>, options: WriteOptions): Promise<TData>;
  protected abstract sendDelete(options: WriteOptions): Promise<TData>;
  protected abstract fetch(options: RequestOptions): Promise<TData | null>;

  /**
   * Sends the fields set since the last load, with `expectedVersion` = the version loaded, so a
   * change someone else made in between fails with `ConflictError` instead of being overwritten
   * (`reload()` and set the fields again). Does nothing when nothing changed.
   */
  async save(options: MutationOptions = {}): Promise<this> {
    const changes = this.#changes;
    if (Object.keys(changes).length === 0) return this;
    this.data = await this.sendUpdate(changes, { ...options, expectedVersion: this.version });
    this.#changes = {};
    return this;
  }

  /** Deletes the entity, if it is still at the version loaded (else `ConflictError`). */
  async delete(options: MutationOptions = {}): Promise<this> {
    this.data = await this.sendDelete({ ...options, expectedVersion: this.version });
    this.#changes = {};
    return this;
  }

  /** Loads the current state and drops unsaved changes; `NotFoundError` when it was deleted. */
  async reload(options: RequestOptions = {}): Promise<this> {
    const data = await this.fetch(options);
    if (!data)
      throw new NotFoundError(`${this.constructor.name.replace(/^Bound/, '')} "${this.id}" does not exist`, 'NOT_FOUND', {
        extensions: { id: this.id },
      });
    this.data = data;
    this.#changes = {};
    return this;
  }

  override toJSON(): Record<string, unknown> {
    return { ...this.data, ...this.#changes };
  }
}

const notFound = (kind: string, id: string): NotFoundError =>
  new NotFoundError(`${kind} "${id}" does not exist`, 'NOT_FOUND', { extensions: { code: 'NOT_FOUND', id } });

/** Something the shop sells: `Product.create({ name: 'Butter', price: 1.5 })`. */
export class Product extends VersionedResource<ProductData, { name: string; price: string | number }> {
  get name(): string {
    return this.field('name');
  }
  set name(value: string) {
    this.change('name', value);
  }
  /** A decimal string such as `"1.50"`; set it to a number or a string. */
  get price(): string {
    return String(this.field('price'));
  }
  set price(value: string | number) {
    this.change('price', value);
  }
  get createdAt(): string {
    return this.data.createdAt;
  }
  get updatedAt(): string {
    return this.data.updatedAt;
  }
  get deletedAt(): string | null {
    return this.data.deletedAt;
  }
  get purchaseCount(): number {
    return this.data.purchaseCount;
  }
  get customerCount(): number {
    return this.data.customerCount;
  }
  get totalSpent(): string {
    return this.data.totalSpent;
  }

  /** Creates a product; `price` as a number or a decimal string (`1.5`, `"1.50"`). */
  static async create(input: CreateProductInput, options: MutationOptions = {}): Promise<Product> {
    return new this(await this.operations.createProduct({ input }, options), this.operations);
  }

  /** The product with this id; `NotFoundError` when there is none (or it was deleted). */
  static async retrieve(id: string, options: RequestOptions = {}): Promise<Product> {
    const data = await this.operations.product({ id }, options);
    if (!data) throw notFound('Product', id);
    return new this(data, this.operations);
  }

  /** Every product, oldest first, fetched `pageSize` at a time. */
  static list({ pageSize = 100, ...options }: ListOptions = {}): ResourceList<Product> {
    const operations = this.operations;
    return new ResourceList(() =>
      pages(
        (first, after) => operations.products({ first, after }, options),
        (data) => new this(data, operations),
        pageSize,
      ),
    );
  }

  /** Changes some fields of a product by id, without loading it first. */
  static async update(
    id: string,
    input: { name?: string; price?: string | number },
    { expectedVersion, ...options }: WriteOptions = {},
  ): Promise<Product> {
    return new this(await this.operations.updateProduct({ id, input, expectedVersion }, options), this.operations);
  }

  /** Deletes a product by id; returns it as deleted (`deletedAt` set). */
  static async delete(id: string, { expectedVersion, ...options }: WriteOptions = {}): Promise<Product> {
    return new this(await this.operations.deleteProduct({ id, expectedVersion }, options), this.operations);
  }

  /** Product changes as they happen (of one product with `id`); resumable with `after` = a change's `position`. */
  static async *watch(
    variables: { id?: string; after?: string } = {},
    options: WatchOptions = {},
  ): AsyncGenerator<Change<Product>, void, undefined> {
    const operations = this.operations;
    for await (const { product, ...change } of operations.productChanged(variables, options))
      yield { ...change, entity: new this(product, operations) };
  }

  protected override sendUpdate(
    input: { name?: string; price?: string | number },
    { expectedVersion, ...options }: WriteOptions,
  ): Promise<ProductData> {
    return this.ops.updateProduct({ id: this.id, input, expectedVersion }, options);
  }
  protected override sendDelete({ expectedVersion, ...options }: WriteOptions): Promise<ProductData> {
    return this.ops.deleteProduct({ id: this.id, expectedVersion }, options);
  }
  protected override fetch(options: RequestOptions): Promise<ProductData | null> {
    return this.ops.product({ id: this.id }, options);
  }
  protected override summary(): Record<string, unknown> {
    const { id, name, price, version, purchaseCount, customerCount, totalSpent, deletedAt } = this;
    return {
      id,
      name,
      price,
      version,
      purchaseCount,
      customerCount,
      totalSpent,
      ...(deletedAt ? { deletedAt } : {}),
      ...unsaved(this.changes),
    };
  }
}

/** Someone who buys: `Customer.create({ firstName: 'Danny', lastName: 'Tester' })`. */
export class Customer extends VersionedResource<CustomerData, { firstName: string; lastName: string }> {
  get firstName(): string {
    return this.field('firstName');
  }
  set firstName(value: string) {
    this.change('firstName', value);
  }
  get lastName(): string {
    return this.field('lastName');
  }
  set lastName(value: string) {
    this.change('lastName', value);
  }
  get createdAt(): string {
    return this.data.createdAt;
  }
  get updatedAt(): string {
    return this.data.updatedAt;
  }
  get deletedAt(): string | null {
    return this.data.deletedAt;
  }
  get purchaseCount(): number {
    return this.data.purchaseCount;
  }
  get totalSpent(): string {
    return this.data.totalSpent;
  }

  /** Creates a customer (first and last name, 1 to 100 characters each). */
  static async create(input: CreateCustomerInput, options: MutationOptions = {}): Promise<Customer> {
    return new this(await this.operations.createCustomer({ input }, options), this.operations);
  }

  /** The customer with this id; `NotFoundError` when there is none (or it was deleted). */
  static async retrieve(id: string, options: RequestOptions = {}): Promise<Customer> {
    const data = await this.operations.customer({ id }, options);
    if (!data) throw notFound('Customer', id);
    return new this(data, this.operations);
  }

  /** Every customer, oldest first, fetched `pageSize` at a time. */
  static list({ pageSize = 100, ...options }: ListOptions = {}): ResourceList<Customer> {
    const operations = this.operations;
    return new ResourceList(() =>
      pages(
        (first, after) => operations.customers({ first, after }, options),
        (data) => new this(data, operations),
        pageSize,
      ),
    );
  }

  /** Changes some fields of a customer by id, without loading it first. */
  static async update(
    id: string,
    input: { firstName?: string; lastName?: string },
    { expectedVersion, ...options }: WriteOptions = {},
  ): Promise<Customer> {
    return new this(await this.operations.updateCustomer({ id, input, expectedVersion }, options), this.operations);
  }

  /** Deletes a customer by id; returns them as deleted (`deletedAt` set). */
  static async delete(id: string, { expectedVersion, ...options }: WriteOptions = {}): Promise<Customer> {
    return new this(await this.operations.deleteCustomer({ id, expectedVersion }, options), this.operations);
  }

  /** Customer changes as they happen; resumable with `after` = a change's `position`. */
  static async *watch(
    variables: { id?: string; after?: string } = {},
    options: WatchOptions = {},
  ): AsyncGenerator<Change<Customer>, void, undefined> {
    const operations = this.operations;
    for await (const { customer, ...change } of operations.customerChanged(variables, options))
      yield { ...change, entity: new this(customer, operations) };
  }

  protected override sendUpdate(
    input: { firstName?: string; lastName?: string },
    { expectedVersion, ...options }: WriteOptions,
  ): Promise<CustomerData> {
    return this.ops.updateCustomer({ id: this.id, input, expectedVersion }, options);
  }
  protected override sendDelete({ expectedVersion, ...options }: WriteOptions): Promise<CustomerData> {
    return this.ops.deleteCustomer({ id: this.id, expectedVersion }, options);
  }
  protected override fetch(options: RequestOptions): Promise<CustomerData | null> {
    return this.ops.customer({ id: this.id }, options);
  }
  protected override summary(): Record<string, unknown> {
    const { id, firstName, lastName, version, purchaseCount, totalSpent, deletedAt } = this;
    return {
      id,
      firstName,
      lastName,
      version,
      purchaseCount,
      totalSpent,
      ...(deletedAt ? { deletedAt } : {}),
      ...unsaved(this.changes),
    };
  }
}

/** A sale: `Purchase.create({ productId: p.id, customerId: c.id, total: 1.99 })`. Immutable once made. */
export class Purchase extends Resource<PurchaseData> {
  /** A decimal string such as `"1.50"`. */
  get total(): string {
    return this.data.total;
  }
  get transactionDate(): string {
    return this.data.transactionDate;
  }
  /** The product as it is now (`deletedAt` set if it was deleted since). */
  get product(): PurchaseData['product'] {
    return this.data.product;
  }
  /** The customer as they are now (`deletedAt` set if deleted since). */
  get customer(): PurchaseData['customer'] {
    return this.data.customer;
  }
  get productId(): string {
    return this.data.product.id;
  }
  get customerId(): string {
    return this.data.customer.id;
  }

  /** Records a purchase; `total` defaults to the product's current price. `NotFoundError` for an unknown product or customer. */
  static async create(input: CreatePurchaseInput, options: MutationOptions = {}): Promise<Purchase> {
    return new this(await this.operations.createPurchase({ input }, options), this.operations);
  }

  /** The purchase with this id; `NotFoundError` when there is none. */
  static async retrieve(id: string, options: RequestOptions = {}): Promise<Purchase> {
    const data = await this.operations.purchase({ id }, options);
    if (!data) throw notFound('Purchase', id);
    return new this(data, this.operations);
  }

  /** Every purchase, or those of one customer and/or product, oldest first. */
  static list({
    customerId,
    productId,
    pageSize = 100,
    ...options
  }: ListOptions & { customerId?: string; productId?: string } = {}): ResourceList<Purchase> {
    const operations = this.operations;
    return new ResourceList(() =>
      pages(
        (first, after) => operations.purchases({ first, after, customerId, productId }, options),
        (data) => new this(data, operations),
        pageSize,
      ),
    );
  }

  /** Purchases as they are made (of one product and/or customer); resumable with `after` = a change's `position`. */
  static async *watch(
    variables: { productId?: string; customerId?: string; after?: string } = {},
    options: WatchOptions = {},
  ): AsyncGenerator<Change<Purchase>, void, undefined> {
    const operations = this.operations;
    for await (const { purchase, ...change } of operations.purchaseMade(variables, options))
      yield { ...change, entity: new this(purchase, operations) };
  }

  override toJSON(): Record<string, unknown> {
    return { ...this.data };
  }

  protected override summary(): Record<string, unknown> {
    const { id, total, transactionDate, product, customer } = this;
    return { id, product: product.name, customer: `${customer.firstName} ${customer.lastName}`, total, transactionDate };
  }
}

const unsaved = (changes: object): Record<string, unknown> => (Object.keys(changes).length ? { unsaved: changes } : {});

/** The resource classes bound to one client's operations. */
export interface BoundResources {
  readonly Product: typeof Product;
  readonly Customer: typeof Customer;
  readonly Purchase: typeof Purchase;
}

/** Subclasses of the three resources whose static verbs use `operations` (what `createShopClient()` exposes). */
export function bindResources(operations: Operations): BoundResources {
  // Named classes so `constructor.name` (shown by the shell, stripped of "Bound") says what they are.
  class BoundProduct extends Product {
    protected static override boundOperations = operations;
  }
  class BoundCustomer extends Customer {
    protected static override boundOperations = operations;
  }
  class BoundPurchase extends Purchase {
    protected static override boundOperations = operations;
  }
  return { Product: BoundProduct, Customer: BoundCustomer, Purchase: BoundPurchase };
}
