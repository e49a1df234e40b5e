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
