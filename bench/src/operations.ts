/** The GraphQL operations of the scenarios, written once. */

/** The dashboard's customers page: 50 rows with their aggregates (two subgraphs). */
export const CUSTOMERS_PAGE = /* GraphQL */ `
  query CustomersPage {
    customers(first: 50) {
      totalCount
      nodes {
        id
        firstName
        lastName
        purchaseCount
        totalSpent
      }
    }
  }
`;

/** The dashboard's products page: 50 rows with their aggregates (two subgraphs). */
export const PRODUCTS_PAGE = /* GraphQL */ `
  query ProductsPage {
    products(first: 50) {
      totalCount
      nodes {
        id
        name
        price
        purchaseCount
        customerCount
        totalSpent
      }
    }
  }
`;

/** The customers page by total spent, highest first, from `offset` on (purchases subgraph; names from customers). */
export const CUSTOMERS_BY_TOTAL_PAGE = /* GraphQL */ `
  query CustomersByTotalPage($offset: Int!) {
    customersBySales(first: 20, offset: $offset, orderBy: { field: TOTAL_SPENT, direction: DESC }) {
      totalCount
      nodes {
        id
        firstName
        lastName
        purchaseCount
        totalSpent
      }
    }
  }
`;

/** Purchases by total, highest first, from `offset` on, with the names the purchases subgraph provides. */
export const PURCHASES_BY_TOTAL_PAGE = /* GraphQL */ `
  query PurchasesByTotalPage($offset: Int!) {
    purchases(first: 50, offset: $offset, orderBy: { field: TOTAL, direction: DESC }) {
      totalCount
      nodes {
        id
        total
        transactionDate
        product {
          name
        }
        customer {
          firstName
          lastName
        }
      }
    }
  }
`;

/** Customers whose name has a word starting with `search`, by name, with their sales figures (two subgraphs). */
export const CUSTOMERS_SEARCHED_PAGE = /* GraphQL */ `
  query CustomersSearchedPage($search: String!) {
    customers(first: 20, search: $search, orderBy: { field: NAME, direction: ASC }) {
      totalCount
      nodes {
        id
        firstName
        lastName
        purchaseCount
        totalSpent
      }
    }
  }
`;

/** A purchase as a client makes it, reading back fields of all three subgraphs. */
export const CREATE_PURCHASE = /* GraphQL */ `
  mutation CreatePurchase($input: CreatePurchaseInput!) {
    createPurchase(input: $input) {
      id
      total
      product {
        name
      }
      customer {
        firstName
      }
    }
  }
`;

/** The trivial baseline of the writes: one entity from one subgraph. */
export const PRODUCT_BY_ID = /* GraphQL */ `
  query ProductById($id: ID!) {
    product(id: $id) {
      id
      name
    }
  }
`;

/** A live purchase with fields of all three subgraphs, aggregates included; `after` resumes a broken stream. */
export const PURCHASE_MADE = /* GraphQL */ `
  subscription PurchaseMade($after: String) {
    purchaseMade(after: $after) {
      position
      purchase {
        id
        total
        product {
          name
          totalSpent
        }
        customer {
          firstName
          purchaseCount
        }
      }
    }
  }
`;

/** The live-latency mutation: what is measured is the payload, so it reads back only the id. */
export const CREATE_PURCHASE_ID = /* GraphQL */ `
  mutation CreatePurchaseId($input: CreatePurchaseInput!) {
    createPurchase(input: $input) {
      id
    }
  }
`;
