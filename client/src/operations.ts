import { randomUUID } from 'node:crypto';
import {
  CreateCustomerDocument,
  CreateProductDocument,
  CreatePurchaseDocument,
  CustomerChangedDocument,
  CustomerDocument,
  CustomersDocument,
  DeleteCustomerDocument,
  DeleteProductDocument,
  ProductChangedDocument,
  ProductDocument,
  ProductsDocument,
  PurchaseDocument,
  PurchaseMadeDocument,
  PurchasesDocument,
  UpdateCustomerDocument,
  UpdateProductDocument,
  type CreateCustomerMutationVariables,
  type CreateProductMutationVariables,
  type CreatePurchaseMutationVariables,
  type CustomerChangedSubscription,
  type CustomerChangedSubscriptionVariables,
  type CustomerFieldsFragment,
  type CustomersQuery,
  type CustomersQueryVariables,
  type DeleteCustomerMutationVariables,
  type DeleteProductMutationVariables,
  type ProductChangedSubscription,
  type ProductChangedSubscriptionVariables,
  type ProductFieldsFragment,
  type ProductsQuery,
  type ProductsQueryVariables,
  type PurchaseFieldsFragment,
  type PurchaseMadeSubscription,
  type PurchaseMadeSubscriptionVariables,
  type PurchasesQuery,
  type PurchasesQueryVariables,
  type UpdateCustomerMutationVariables,
  type UpdateProductMutationVariables,
} from './generated/graphql.ts';
import { watchChanges, type SubscriptionTransport, type WatchOptions } from './subscriptions.ts';
import type { HttpTransport, RequestOptions } from './transport.ts';

export type ProductData = ProductFieldsFragment;
export type CustomerData = CustomerFieldsFragment;
export type PurchaseData = PurchaseFieldsFragment;
export type ProductPage = ProductsQuery['products'];
export type CustomerPage = CustomersQuery['customers'];
export type PurchasePage = PurchasesQuery['purchases'];
export type ProductChange = ProductChangedSubscription['productChanged'];
export type CustomerChange = CustomerChangedSubscription['customerChanged'];
export type PurchaseChange = PurchaseMadeSubscription['purchaseMade'];

/** Options of a mutation call. */
export interface MutationOptions extends RequestOptions {
  /**
   * Makes retries safe: the server appends once per key and answers repeats with the first result.
   * Default: a random UUID per call, reused by the client's own retries of that call.
   */
  readonly idempotencyKey?: string | undefined;
}

type WithoutKey<T> = Omit<T, 'idempotencyKey'>;

/** Every query, mutation and subscription of the graph as a typed function (see {@link createOperations}). */
export interface Operations {
  /** One page of products (`first` default 50, at most 500), oldest first. */
  products(variables?: ProductsQueryVariables, options?: RequestOptions): Promise<ProductPage>;
  /** A product that is not deleted, or null. */
  product(variables: { readonly id: string }, options?: RequestOptions): Promise<ProductData | null>;
  /** One page of customers, oldest first. */
  customers(variables?: CustomersQueryVariables, options?: RequestOptions): Promise<CustomerPage>;
  /** A customer that is not deleted, or null. */
  customer(variables: { readonly id: string }, options?: RequestOptions): Promise<CustomerData | null>;
  /** One page of purchases, optionally of one product and/or customer, oldest first. */
  purchases(variables?: PurchasesQueryVariables, options?: RequestOptions): Promise<PurchasePage>;
  /** A purchase, or null. */
  purchase(variables: { readonly id: string }, options?: RequestOptions): Promise<PurchaseData | null>;
  createProduct(variables: WithoutKey<CreateProductMutationVariables>, options?: MutationOptions): Promise<ProductData>;
  /** Pass `expectedVersion` to fail with `ConflictError` instead of overwriting a newer change. */
  updateProduct(variables: WithoutKey<UpdateProductMutationVariables>, options?: MutationOptions): Promise<ProductData>;
  deleteProduct(variables: WithoutKey<DeleteProductMutationVariables>, options?: MutationOptions): Promise<ProductData>;
  createCustomer(variables: WithoutKey<CreateCustomerMutationVariables>, options?: MutationOptions): Promise<CustomerData>;
  updateCustomer(variables: WithoutKey<UpdateCustomerMutationVariables>, options?: MutationOptions): Promise<CustomerData>;
  deleteCustomer(variables: WithoutKey<DeleteCustomerMutationVariables>, options?: MutationOptions): Promise<CustomerData>;
  /** `total` defaults to the product's current price. */
  createPurchase(variables: WithoutKey<CreatePurchaseMutationVariables>, options?: MutationOptions): Promise<PurchaseData>;
  /** Changes of every product or of one (`id`); with `after`, every change after that position first. */
  productChanged(
    variables?: ProductChangedSubscriptionVariables,
    options?: WatchOptions,
  ): AsyncGenerator<ProductChange, void, undefined>;
  /** Changes of every customer or of one (`id`); resumable like {@link Operations.productChanged}. */
  customerChanged(
    variables?: CustomerChangedSubscriptionVariables,
    options?: WatchOptions,
  ): AsyncGenerator<CustomerChange, void, undefined>;
  /** Purchases, optionally of one product and/or customer; resumable like {@link Operations.productChanged}. */
  purchaseMade(
    variables?: PurchaseMadeSubscriptionVariables,
    options?: WatchOptions,
  ): AsyncGenerator<PurchaseChange, void, undefined>;
}

/**
 * The operations layer: one typed function per root field, returning that field's value.
 * Mutations get an idempotency key unless the caller brings one, so the transport may retry them.
 *
 * @param subscriptions returns the graphql-ws transport; called only when a subscription starts.
 */
export function createOperations(http: HttpTransport, subscriptions: () => SubscriptionTransport): Operations {
  const key = (options: MutationOptions): string => options.idempotencyKey ?? randomUUID();
  return {
    products: async (variables = {}, options) => (await http.request(ProductsDocument, variables, options)).products,
    product: async (variables, options) => (await http.request(ProductDocument, variables, options)).product,
    customers: async (variables = {}, options) => (await http.request(CustomersDocument, variables, options)).customers,
    customer: async (variables, options) => (await http.request(CustomerDocument, variables, options)).customer,
    purchases: async (variables = {}, options) => (await http.request(PurchasesDocument, variables, options)).purchases,
    purchase: async (variables, options) => (await http.request(PurchaseDocument, variables, options)).purchase,
    createProduct: async (variables, options = {}) =>
      (await http.request(CreateProductDocument, { ...variables, idempotencyKey: key(options) }, options)).createProduct,
    updateProduct: async (variables, options = {}) =>
      (await http.request(UpdateProductDocument, { ...variables, idempotencyKey: key(options) }, options)).updateProduct,
    deleteProduct: async (variables, options = {}) =>
      (await http.request(DeleteProductDocument, { ...variables, idempotencyKey: key(options) }, options)).deleteProduct,
    createCustomer: async (variables, options = {}) =>
      (await http.request(CreateCustomerDocument, { ...variables, idempotencyKey: key(options) }, options)).createCustomer,
    updateCustomer: async (variables, options = {}) =>
      (await http.request(UpdateCustomerDocument, { ...variables, idempotencyKey: key(options) }, options)).updateCustomer,
    deleteCustomer: async (variables, options = {}) =>
      (await http.request(DeleteCustomerDocument, { ...variables, idempotencyKey: key(options) }, options)).deleteCustomer,
    createPurchase: async (variables, options = {}) =>
      (await http.request(CreatePurchaseDocument, { ...variables, idempotencyKey: key(options) }, options)).createPurchase,
    productChanged: (variables = {}, options) =>
      watchChanges(subscriptions, ProductChangedDocument, variables, (data) => data.productChanged, options),
    customerChanged: (variables = {}, options) =>
      watchChanges(subscriptions, CustomerChangedDocument, variables, (data) => data.customerChanged, options),
    purchaseMade: (variables = {}, options) =>
      watchChanges(subscriptions, PurchaseMadeDocument, variables, (data) => data.purchaseMade, options),
  };
}
