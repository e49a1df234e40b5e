/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment ProductFields on Product {\n    id\n    name\n    price\n    version\n    createdAt\n    updatedAt\n    deletedAt\n    purchaseCount\n    customerCount\n    totalSpent\n  }\n": typeof types.ProductFieldsFragmentDoc,
    "\n  fragment CustomerFields on Customer {\n    id\n    firstName\n    lastName\n    version\n    createdAt\n    updatedAt\n    deletedAt\n    purchaseCount\n    totalSpent\n  }\n": typeof types.CustomerFieldsFragmentDoc,
    "\n  fragment PurchaseRow on Purchase {\n    id\n    total\n    transactionDate\n    product {\n      id\n      name\n      deletedAt\n    }\n    customer {\n      id\n      firstName\n      lastName\n      deletedAt\n    }\n  }\n": typeof types.PurchaseRowFragmentDoc,
    "\n  fragment PurchaseLive on Purchase {\n    ...PurchaseRow\n    product {\n      ...ProductFields\n    }\n    customer {\n      ...CustomerFields\n    }\n  }\n": typeof types.PurchaseLiveFragmentDoc,
    "\n  fragment ProductPage on ProductConnection {\n    totalCount\n    nodes {\n      ...ProductFields\n    }\n  }\n": typeof types.ProductPageFragmentDoc,
    "\n  fragment CustomerPage on CustomerConnection {\n    totalCount\n    nodes {\n      ...CustomerFields\n    }\n  }\n": typeof types.CustomerPageFragmentDoc,
    "\n  fragment PurchasePage on PurchaseConnection {\n    totalCount\n    nodes {\n      ...PurchaseRow\n    }\n  }\n": typeof types.PurchasePageFragmentDoc,
    "\n  query Products($first: Int!, $offset: Int, $orderBy: ProductOrder, $search: String, $asOf: String) {\n    products(first: $first, offset: $offset, orderBy: $orderBy, search: $search, asOf: $asOf) {\n      ...ProductPage\n    }\n  }\n": typeof types.ProductsDocument,
    "\n  query ProductsBySales($first: Int!, $offset: Int, $orderBy: ProductSalesOrder, $search: String, $asOf: String) {\n    productsBySales(first: $first, offset: $offset, orderBy: $orderBy, search: $search, asOf: $asOf) {\n      ...ProductPage\n    }\n  }\n": typeof types.ProductsBySalesDocument,
    "\n  query Customers($first: Int!, $offset: Int, $orderBy: CustomerOrder, $search: String, $asOf: String) {\n    customers(first: $first, offset: $offset, orderBy: $orderBy, search: $search, asOf: $asOf) {\n      ...CustomerPage\n    }\n  }\n": typeof types.CustomersDocument,
    "\n  query CustomersBySales($first: Int!, $offset: Int, $orderBy: CustomerSalesOrder, $search: String, $asOf: String) {\n    customersBySales(first: $first, offset: $offset, orderBy: $orderBy, search: $search, asOf: $asOf) {\n      ...CustomerPage\n    }\n  }\n": typeof types.CustomersBySalesDocument,
    "\n  query Product($id: ID!, $asOf: String) {\n    product(id: $id, asOf: $asOf) {\n      ...ProductFields\n    }\n  }\n": typeof types.ProductDocument,
    "\n  query Customer($id: ID!, $asOf: String) {\n    customer(id: $id, asOf: $asOf) {\n      ...CustomerFields\n    }\n  }\n": typeof types.CustomerDocument,
    "\n  query ProductPurchases($id: ID!, $first: Int!, $offset: Int, $orderBy: PurchaseOrder, $asOf: String) {\n    product(id: $id, asOf: $asOf) {\n      id\n      purchases(first: $first, offset: $offset, orderBy: $orderBy) {\n        ...PurchasePage\n      }\n    }\n  }\n": typeof types.ProductPurchasesDocument,
    "\n  query CustomerPurchases($id: ID!, $first: Int!, $offset: Int, $orderBy: PurchaseOrder, $asOf: String) {\n    customer(id: $id, asOf: $asOf) {\n      id\n      purchases(first: $first, offset: $offset, orderBy: $orderBy) {\n        ...PurchasePage\n      }\n    }\n  }\n": typeof types.CustomerPurchasesDocument,
    "\n  query Overview($top: Int!, $asOf: String) {\n    products(first: 0, asOf: $asOf) {\n      totalCount\n    }\n    customers(first: 0, asOf: $asOf) {\n      totalCount\n    }\n    sales(asOf: $asOf) {\n      purchaseCount\n      revenue\n      overTime {\n        bucket\n        buckets {\n          start\n          purchaseCount\n          revenue\n        }\n      }\n    }\n    productsBySales(first: $top, asOf: $asOf) {\n      nodes {\n        id\n        name\n        totalSpent\n      }\n    }\n  }\n": typeof types.OverviewDocument,
    "\n  fragment HistoryEntryFields on HistoryEntry {\n    eventId\n    type\n    kind\n    version\n    occurredAt\n    actor\n    changes {\n      field\n      before\n      after\n    }\n  }\n": typeof types.HistoryEntryFieldsFragmentDoc,
    "\n  fragment HistoryPage on HistoryConnection {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    nodes {\n      ...HistoryEntryFields\n    }\n  }\n": typeof types.HistoryPageFragmentDoc,
    "\n  query ProductHistory($id: ID!, $first: Int!, $after: String, $asOf: String) {\n    product(id: $id, includeDeleted: true, asOf: $asOf) {\n      id\n      history(first: $first, after: $after, newestFirst: true) {\n        ...HistoryPage\n      }\n    }\n  }\n": typeof types.ProductHistoryDocument,
    "\n  query CustomerHistory($id: ID!, $first: Int!, $after: String, $asOf: String) {\n    customer(id: $id, includeDeleted: true, asOf: $asOf) {\n      id\n      history(first: $first, after: $after, newestFirst: true) {\n        ...HistoryPage\n      }\n    }\n  }\n": typeof types.CustomerHistoryDocument,
    "\n  mutation CreateProduct($input: CreateProductInput!, $idempotencyKey: String) {\n    createProduct(input: $input, idempotencyKey: $idempotencyKey) {\n      ...ProductFields\n    }\n  }\n": typeof types.CreateProductDocument,
    "\n  mutation UpdateProduct($id: ID!, $input: UpdateProductInput!, $expectedVersion: Int) {\n    updateProduct(id: $id, input: $input, expectedVersion: $expectedVersion) {\n      ...ProductFields\n    }\n  }\n": typeof types.UpdateProductDocument,
    "\n  mutation DeleteProduct($id: ID!, $expectedVersion: Int) {\n    deleteProduct(id: $id, expectedVersion: $expectedVersion) {\n      ...ProductFields\n    }\n  }\n": typeof types.DeleteProductDocument,
    "\n  mutation CreateCustomer($input: CreateCustomerInput!, $idempotencyKey: String) {\n    createCustomer(input: $input, idempotencyKey: $idempotencyKey) {\n      ...CustomerFields\n    }\n  }\n": typeof types.CreateCustomerDocument,
    "\n  mutation UpdateCustomer($id: ID!, $input: UpdateCustomerInput!, $expectedVersion: Int) {\n    updateCustomer(id: $id, input: $input, expectedVersion: $expectedVersion) {\n      ...CustomerFields\n    }\n  }\n": typeof types.UpdateCustomerDocument,
    "\n  mutation DeleteCustomer($id: ID!, $expectedVersion: Int) {\n    deleteCustomer(id: $id, expectedVersion: $expectedVersion) {\n      ...CustomerFields\n    }\n  }\n": typeof types.DeleteCustomerDocument,
    "\n  mutation CreatePurchase($input: CreatePurchaseInput!, $idempotencyKey: String) {\n    createPurchase(input: $input, idempotencyKey: $idempotencyKey) {\n      ...PurchaseLive\n    }\n  }\n": typeof types.CreatePurchaseDocument,
    "\n  subscription ProductChanges($after: String) {\n    productChanged(after: $after) {\n      kind\n      position\n      occurredAt\n      product {\n        ...ProductFields\n      }\n    }\n  }\n": typeof types.ProductChangesDocument,
    "\n  subscription CustomerChanges($after: String) {\n    customerChanged(after: $after) {\n      kind\n      position\n      occurredAt\n      customer {\n        ...CustomerFields\n      }\n    }\n  }\n": typeof types.CustomerChangesDocument,
    "\n  subscription PurchasesMade($after: String) {\n    purchaseMade(after: $after) {\n      kind\n      position\n      occurredAt\n      purchase {\n        ...PurchaseLive\n      }\n    }\n  }\n": typeof types.PurchasesMadeDocument,
};
const documents: Documents = {
    "\n  fragment ProductFields on Product {\n    id\n    name\n    price\n    version\n    createdAt\n    updatedAt\n    deletedAt\n    purchaseCount\n    customerCount\n    totalSpent\n  }\n": types.ProductFieldsFragmentDoc,
    "\n  fragment CustomerFields on Customer {\n    id\n    firstName\n    lastName\n    version\n    createdAt\n    updatedAt\n    deletedAt\n    purchaseCount\n    totalSpent\n  }\n": types.CustomerFieldsFragmentDoc,
    "\n  fragment PurchaseRow on Purchase {\n    id\n    total\n    transactionDate\n    product {\n      id\n      name\n      deletedAt\n    }\n    customer {\n      id\n      firstName\n      lastName\n      deletedAt\n    }\n  }\n": types.PurchaseRowFragmentDoc,
    "\n  fragment PurchaseLive on Purchase {\n    ...PurchaseRow\n    product {\n      ...ProductFields\n    }\n    customer {\n      ...CustomerFields\n    }\n  }\n": types.PurchaseLiveFragmentDoc,
    "\n  fragment ProductPage on ProductConnection {\n    totalCount\n    nodes {\n      ...ProductFields\n    }\n  }\n": types.ProductPageFragmentDoc,
    "\n  fragment CustomerPage on CustomerConnection {\n    totalCount\n    nodes {\n      ...CustomerFields\n    }\n  }\n": types.CustomerPageFragmentDoc,
    "\n  fragment PurchasePage on PurchaseConnection {\n    totalCount\n    nodes {\n      ...PurchaseRow\n    }\n  }\n": types.PurchasePageFragmentDoc,
    "\n  query Products($first: Int!, $offset: Int, $orderBy: ProductOrder, $search: String, $asOf: String) {\n    products(first: $first, offset: $offset, orderBy: $orderBy, search: $search, asOf: $asOf) {\n      ...ProductPage\n    }\n  }\n": types.ProductsDocument,
    "\n  query ProductsBySales($first: Int!, $offset: Int, $orderBy: ProductSalesOrder, $search: String, $asOf: String) {\n    productsBySales(first: $first, offset: $offset, orderBy: $orderBy, search: $search, asOf: $asOf) {\n      ...ProductPage\n    }\n  }\n": types.ProductsBySalesDocument,
    "\n  query Customers($first: Int!, $offset: Int, $orderBy: CustomerOrder, $search: String, $asOf: String) {\n    customers(first: $first, offset: $offset, orderBy: $orderBy, search: $search, asOf: $asOf) {\n      ...CustomerPage\n    }\n  }\n": types.CustomersDocument,
    "\n  query CustomersBySales($first: Int!, $offset: Int, $orderBy: CustomerSalesOrder, $search: String, $asOf: String) {\n    customersBySales(first: $first, offset: $offset, orderBy: $orderBy, search: $search, asOf: $asOf) {\n      ...CustomerPage\n    }\n  }\n": types.CustomersBySalesDocument,
    "\n  query Product($id: ID!, $asOf: String) {\n    product(id: $id, asOf: $asOf) {\n      ...ProductFields\n    }\n  }\n": types.ProductDocument,
    "\n  query Customer($id: ID!, $asOf: String) {\n    customer(id: $id, asOf: $asOf) {\n      ...CustomerFields\n    }\n  }\n": types.CustomerDocument,
    "\n  query ProductPurchases($id: ID!, $first: Int!, $offset: Int, $orderBy: PurchaseOrder, $asOf: String) {\n    product(id: $id, asOf: $asOf) {\n      id\n      purchases(first: $first, offset: $offset, orderBy: $orderBy) {\n        ...PurchasePage\n      }\n    }\n  }\n": types.ProductPurchasesDocument,
    "\n  query CustomerPurchases($id: ID!, $first: Int!, $offset: Int, $orderBy: PurchaseOrder, $asOf: String) {\n    customer(id: $id, asOf: $asOf) {\n      id\n      purchases(first: $first, offset: $offset, orderBy: $orderBy) {\n        ...PurchasePage\n      }\n    }\n  }\n": types.CustomerPurchasesDocument,
    "\n  query Overview($top: Int!, $asOf: String) {\n    products(first: 0, asOf: $asOf) {\n      totalCount\n    }\n    customers(first: 0, asOf: $asOf) {\n      totalCount\n    }\n    sales(asOf: $asOf) {\n      purchaseCount\n      revenue\n      overTime {\n        bucket\n        buckets {\n          start\n          purchaseCount\n          revenue\n        }\n      }\n    }\n    productsBySales(first: $top, asOf: $asOf) {\n      nodes {\n        id\n        name\n        totalSpent\n      }\n    }\n  }\n": types.OverviewDocument,
    "\n  fragment HistoryEntryFields on HistoryEntry {\n    eventId\n    type\n    kind\n    version\n    occurredAt\n    actor\n    changes {\n      field\n      before\n      after\n    }\n  }\n": types.HistoryEntryFieldsFragmentDoc,
    "\n  fragment HistoryPage on HistoryConnection {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    nodes {\n      ...HistoryEntryFields\n    }\n  }\n": types.HistoryPageFragmentDoc,
    "\n  query ProductHistory($id: ID!, $first: Int!, $after: String, $asOf: String) {\n    product(id: $id, includeDeleted: true, asOf: $asOf) {\n      id\n      history(first: $first, after: $after, newestFirst: true) {\n        ...HistoryPage\n      }\n    }\n  }\n": types.ProductHistoryDocument,
    "\n  query CustomerHistory($id: ID!, $first: Int!, $after: String, $asOf: String) {\n    customer(id: $id, includeDeleted: true, asOf: $asOf) {\n      id\n      history(first: $first, after: $after, newestFirst: true) {\n        ...HistoryPage\n      }\n    }\n  }\n": types.CustomerHistoryDocument,
    "\n  mutation CreateProduct($input: CreateProductInput!, $idempotencyKey: String) {\n    createProduct(input: $input, idempotencyKey: $idempotencyKey) {\n      ...ProductFields\n    }\n  }\n": types.CreateProductDocument,
    "\n  mutation UpdateProduct($id: ID!, $input: UpdateProductInput!, $expectedVersion: Int) {\n    updateProduct(id: $id, input: $input, expectedVersion: $expectedVersion) {\n      ...ProductFields\n    }\n  }\n": types.UpdateProductDocument,
    "\n  mutation DeleteProduct($id: ID!, $expectedVersion: Int) {\n    deleteProduct(id: $id, expectedVersion: $expectedVersion) {\n      ...ProductFields\n    }\n  }\n": types.DeleteProductDocument,
    "\n  mutation CreateCustomer($input: CreateCustomerInput!, $idempotencyKey: String) {\n    createCustomer(input: $input, idempotencyKey: $idempotencyKey) {\n      ...CustomerFields\n    }\n  }\n": types.CreateCustomerDocument,
    "\n  mutation UpdateCustomer($id: ID!, $input: UpdateCustomerInput!, $expectedVersion: Int) {\n    updateCustomer(id: $id, input: $input, expectedVersion: $expectedVersion) {\n      ...CustomerFields\n    }\n  }\n": types.UpdateCustomerDocument,
    "\n  mutation DeleteCustomer($id: ID!, $expectedVersion: Int) {\n    deleteCustomer(id: $id, expectedVersion: $expectedVersion) {\n      ...CustomerFields\n    }\n  }\n": types.DeleteCustomerDocument,
    "\n  mutation CreatePurchase($input: CreatePurchaseInput!, $idempotencyKey: String) {\n    createPurchase(input: $input, idempotencyKey: $idempotencyKey) {\n      ...PurchaseLive\n    }\n  }\n": types.CreatePurchaseDocument,
    "\n  subscription ProductChanges($after: String) {\n    productChanged(after: $after) {\n      kind\n      position\n      occurredAt\n      product {\n        ...ProductFields\n      }\n    }\n  }\n": types.ProductChangesDocument,
    "\n  subscription CustomerChanges($after: String) {\n    customerChanged(after: $after) {\n      kind\n      position\n      occurredAt\n      customer {\n        ...CustomerFields\n      }\n    }\n  }\n": types.CustomerChangesDocument,
    "\n  subscription PurchasesMade($after: String) {\n    purchaseMade(after: $after) {\n      kind\n      position\n      occurredAt\n      purchase {\n        ...PurchaseLive\n      }\n    }\n  }\n": types.PurchasesMadeDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ProductFields on Product {\n    id\n    name\n    price\n    version\n    createdAt\n    updatedAt\n    deletedAt\n    purchaseCount\n    customerCount\n    totalSpent\n  }\n"): (typeof documents)["\n  fragment ProductFields on Product {\n    id\n    name\n    price\n    version\n    createdAt\n    updatedAt\n    deletedAt\n    purchaseCount\n    customerCount\n    totalSpent\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CustomerFields on Customer {\n    id\n    firstName\n    lastName\n    version\n    createdAt\n    updatedAt\n    deletedAt\n    purchaseCount\n    totalSpent\n  }\n"): (typeof documents)["\n  fragment CustomerFields on Customer {\n    id\n    firstName\n    lastName\n    version\n    createdAt\n    updatedAt\n    deletedAt\n    purchaseCount\n    totalSpent\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PurchaseRow on Purchase {\n    id\n    total\n    transactionDate\n    product {\n      id\n      name\n      deletedAt\n    }\n    customer {\n      id\n      firstName\n      lastName\n      deletedAt\n    }\n  }\n"): (typeof documents)["\n  fragment PurchaseRow on Purchase {\n    id\n    total\n    transactionDate\n    product {\n      id\n      name\n      deletedAt\n    }\n    customer {\n      id\n      firstName\n      lastName\n      deletedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PurchaseLive on Purchase {\n    ...PurchaseRow\n    product {\n      ...ProductFields\n    }\n    customer {\n      ...CustomerFields\n    }\n  }\n"): (typeof documents)["\n  fragment PurchaseLive on Purchase {\n    ...PurchaseRow\n    product {\n      ...ProductFields\n    }\n    customer {\n      ...CustomerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ProductPage on ProductConnection {\n    totalCount\n    nodes {\n      ...ProductFields\n    }\n  }\n"): (typeof documents)["\n  fragment ProductPage on ProductConnection {\n    totalCount\n    nodes {\n      ...ProductFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CustomerPage on CustomerConnection {\n    totalCount\n    nodes {\n      ...CustomerFields\n    }\n  }\n"): (typeof documents)["\n  fragment CustomerPage on CustomerConnection {\n    totalCount\n    nodes {\n      ...CustomerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PurchasePage on PurchaseConnection {\n    totalCount\n    nodes {\n      ...PurchaseRow\n    }\n  }\n"): (typeof documents)["\n  fragment PurchasePage on PurchaseConnection {\n    totalCount\n    nodes {\n      ...PurchaseRow\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Products($first: Int!, $offset: Int, $orderBy: ProductOrder, $search: String, $asOf: String) {\n    products(first: $first, offset: $offset, orderBy: $orderBy, search: $search, asOf: $asOf) {\n      ...ProductPage\n    }\n  }\n"): (typeof documents)["\n  query Products($first: Int!, $offset: Int, $orderBy: ProductOrder, $search: String, $asOf: String) {\n    products(first: $first, offset: $offset, orderBy: $orderBy, search: $search, asOf: $asOf) {\n      ...ProductPage\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProductsBySales($first: Int!, $offset: Int, $orderBy: ProductSalesOrder, $search: String, $asOf: String) {\n    productsBySales(first: $first, offset: $offset, orderBy: $orderBy, search: $search, asOf: $asOf) {\n      ...ProductPage\n    }\n  }\n"): (typeof documents)["\n  query ProductsBySales($first: Int!, $offset: Int, $orderBy: ProductSalesOrder, $search: String, $asOf: String) {\n    productsBySales(first: $first, offset: $offset, orderBy: $orderBy, search: $search, asOf: $asOf) {\n      ...ProductPage\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Customers($first: Int!, $offset: Int, $orderBy: CustomerOrder, $search: String, $asOf: String) {\n    customers(first: $first, offset: $offset, orderBy: $orderBy, search: $search, asOf: $asOf) {\n      ...CustomerPage\n    }\n  }\n"): (typeof documents)["\n  query Customers($first: Int!, $offset: Int, $orderBy: CustomerOrder, $search: String, $asOf: String) {\n    customers(first: $first, offset: $offset, orderBy: $orderBy, search: $search, asOf: $asOf) {\n      ...CustomerPage\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CustomersBySales($first: Int!, $offset: Int, $orderBy: CustomerSalesOrder, $search: String, $asOf: String) {\n    customersBySales(first: $first, offset: $offset, orderBy: $orderBy, search: $search, asOf: $asOf) {\n      ...CustomerPage\n    }\n  }\n"): (typeof documents)["\n  query CustomersBySales($first: Int!, $offset: Int, $orderBy: CustomerSalesOrder, $search: String, $asOf: String) {\n    customersBySales(first: $first, offset: $offset, orderBy: $orderBy, search: $search, asOf: $asOf) {\n      ...CustomerPage\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Product($id: ID!, $asOf: String) {\n    product(id: $id, asOf: $asOf) {\n      ...ProductFields\n    }\n  }\n"): (typeof documents)["\n  query Product($id: ID!, $asOf: String) {\n    product(id: $id, asOf: $asOf) {\n      ...ProductFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Customer($id: ID!, $asOf: String) {\n    customer(id: $id, asOf: $asOf) {\n      ...CustomerFields\n    }\n  }\n"): (typeof documents)["\n  query Customer($id: ID!, $asOf: String) {\n    customer(id: $id, asOf: $asOf) {\n      ...CustomerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProductPurchases($id: ID!, $first: Int!, $offset: Int, $orderBy: PurchaseOrder, $asOf: String) {\n    product(id: $id, asOf: $asOf) {\n      id\n      purchases(first: $first, offset: $offset, orderBy: $orderBy) {\n        ...PurchasePage\n      }\n    }\n  }\n"): (typeof documents)["\n  query ProductPurchases($id: ID!, $first: Int!, $offset: Int, $orderBy: PurchaseOrder, $asOf: String) {\n    product(id: $id, asOf: $asOf) {\n      id\n      purchases(first: $first, offset: $offset, orderBy: $orderBy) {\n        ...PurchasePage\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CustomerPurchases($id: ID!, $first: Int!, $offset: Int, $orderBy: PurchaseOrder, $asOf: String) {\n    customer(id: $id, asOf: $asOf) {\n      id\n      purchases(first: $first, offset: $offset, orderBy: $orderBy) {\n        ...PurchasePage\n      }\n    }\n  }\n"): (typeof documents)["\n  query CustomerPurchases($id: ID!, $first: Int!, $offset: Int, $orderBy: PurchaseOrder, $asOf: String) {\n    customer(id: $id, asOf: $asOf) {\n      id\n      purchases(first: $first, offset: $offset, orderBy: $orderBy) {\n        ...PurchasePage\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Overview($top: Int!, $asOf: String) {\n    products(first: 0, asOf: $asOf) {\n      totalCount\n    }\n    customers(first: 0, asOf: $asOf) {\n      totalCount\n    }\n    sales(asOf: $asOf) {\n      purchaseCount\n      revenue\n      overTime {\n        bucket\n        buckets {\n          start\n          purchaseCount\n          revenue\n        }\n      }\n    }\n    productsBySales(first: $top, asOf: $asOf) {\n      nodes {\n        id\n        name\n        totalSpent\n      }\n    }\n  }\n"): (typeof documents)["\n  query Overview($top: Int!, $asOf: String) {\n    products(first: 0, asOf: $asOf) {\n      totalCount\n    }\n    customers(first: 0, asOf: $asOf) {\n      totalCount\n    }\n    sales(asOf: $asOf) {\n      purchaseCount\n      revenue\n      overTime {\n        bucket\n        buckets {\n          start\n          purchaseCount\n          revenue\n        }\n      }\n    }\n    productsBySales(first: $top, asOf: $asOf) {\n      nodes {\n        id\n        name\n        totalSpent\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment HistoryEntryFields on HistoryEntry {\n    eventId\n    type\n    kind\n    version\n    occurredAt\n    actor\n    changes {\n      field\n      before\n      after\n    }\n  }\n"): (typeof documents)["\n  fragment HistoryEntryFields on HistoryEntry {\n    eventId\n    type\n    kind\n    version\n    occurredAt\n    actor\n    changes {\n      field\n      before\n      after\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment HistoryPage on HistoryConnection {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    nodes {\n      ...HistoryEntryFields\n    }\n  }\n"): (typeof documents)["\n  fragment HistoryPage on HistoryConnection {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    nodes {\n      ...HistoryEntryFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProductHistory($id: ID!, $first: Int!, $after: String, $asOf: String) {\n    product(id: $id, includeDeleted: true, asOf: $asOf) {\n      id\n      history(first: $first, after: $after, newestFirst: true) {\n        ...HistoryPage\n      }\n    }\n  }\n"): (typeof documents)["\n  query ProductHistory($id: ID!, $first: Int!, $after: String, $asOf: String) {\n    product(id: $id, includeDeleted: true, asOf: $asOf) {\n      id\n      history(first: $first, after: $after, newestFirst: true) {\n        ...HistoryPage\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CustomerHistory($id: ID!, $first: Int!, $after: String, $asOf: String) {\n    customer(id: $id, includeDeleted: true, asOf: $asOf) {\n      id\n      history(first: $first, after: $after, newestFirst: true) {\n        ...HistoryPage\n      }\n    }\n  }\n"): (typeof documents)["\n  query CustomerHistory($id: ID!, $first: Int!, $after: String, $asOf: String) {\n    customer(id: $id, includeDeleted: true, asOf: $asOf) {\n      id\n      history(first: $first, after: $after, newestFirst: true) {\n        ...HistoryPage\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateProduct($input: CreateProductInput!, $idempotencyKey: String) {\n    createProduct(input: $input, idempotencyKey: $idempotencyKey) {\n      ...ProductFields\n    }\n  }\n"): (typeof documents)["\n  mutation CreateProduct($input: CreateProductInput!, $idempotencyKey: String) {\n    createProduct(input: $input, idempotencyKey: $idempotencyKey) {\n      ...ProductFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateProduct($id: ID!, $input: UpdateProductInput!, $expectedVersion: Int) {\n    updateProduct(id: $id, input: $input, expectedVersion: $expectedVersion) {\n      ...ProductFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateProduct($id: ID!, $input: UpdateProductInput!, $expectedVersion: Int) {\n    updateProduct(id: $id, input: $input, expectedVersion: $expectedVersion) {\n      ...ProductFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteProduct($id: ID!, $expectedVersion: Int) {\n    deleteProduct(id: $id, expectedVersion: $expectedVersion) {\n      ...ProductFields\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteProduct($id: ID!, $expectedVersion: Int) {\n    deleteProduct(id: $id, expectedVersion: $expectedVersion) {\n      ...ProductFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateCustomer($input: CreateCustomerInput!, $idempotencyKey: String) {\n    createCustomer(input: $input, idempotencyKey: $idempotencyKey) {\n      ...CustomerFields\n    }\n  }\n"): (typeof documents)["\n  mutation CreateCustomer($input: CreateCustomerInput!, $idempotencyKey: String) {\n    createCustomer(input: $input, idempotencyKey: $idempotencyKey) {\n      ...CustomerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateCustomer($id: ID!, $input: UpdateCustomerInput!, $expectedVersion: Int) {\n    updateCustomer(id: $id, input: $input, expectedVersion: $expectedVersion) {\n      ...CustomerFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateCustomer($id: ID!, $input: UpdateCustomerInput!, $expectedVersion: Int) {\n    updateCustomer(id: $id, input: $input, expectedVersion: $expectedVersion) {\n      ...CustomerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteCustomer($id: ID!, $expectedVersion: Int) {\n    deleteCustomer(id: $id, expectedVersion: $expectedVersion) {\n      ...CustomerFields\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteCustomer($id: ID!, $expectedVersion: Int) {\n    deleteCustomer(id: $id, expectedVersion: $expectedVersion) {\n      ...CustomerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreatePurchase($input: CreatePurchaseInput!, $idempotencyKey: String) {\n    createPurchase(input: $input, idempotencyKey: $idempotencyKey) {\n      ...PurchaseLive\n    }\n  }\n"): (typeof documents)["\n  mutation CreatePurchase($input: CreatePurchaseInput!, $idempotencyKey: String) {\n    createPurchase(input: $input, idempotencyKey: $idempotencyKey) {\n      ...PurchaseLive\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ProductChanges($after: String) {\n    productChanged(after: $after) {\n      kind\n      position\n      occurredAt\n      product {\n        ...ProductFields\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription ProductChanges($after: String) {\n    productChanged(after: $after) {\n      kind\n      position\n      occurredAt\n      product {\n        ...ProductFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription CustomerChanges($after: String) {\n    customerChanged(after: $after) {\n      kind\n      position\n      occurredAt\n      customer {\n        ...CustomerFields\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription CustomerChanges($after: String) {\n    customerChanged(after: $after) {\n      kind\n      position\n      occurredAt\n      customer {\n        ...CustomerFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription PurchasesMade($after: String) {\n    purchaseMade(after: $after) {\n      kind\n      position\n      occurredAt\n      purchase {\n        ...PurchaseLive\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription PurchasesMade($after: String) {\n    purchaseMade(after: $after) {\n      kind\n      position\n      occurredAt\n      purchase {\n        ...PurchaseLive\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;