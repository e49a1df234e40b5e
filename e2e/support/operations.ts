/** The operations the end-to-end scenarios use, written once. */
export const CREATE_PRODUCT = /* GraphQL */ `
  mutation ($input: CreateProductInput!, $key: String) {
    createProduct(input: $input, idempotencyKey: $key) {
      id
      name
      price
      version
      createdAt
      updatedAt
      deletedAt
    }
  }
`;
export const UPDATE_PRODUCT = /* GraphQL */ `
  mutation ($id: ID!, $input: UpdateProductInput!, $expectedVersion: Int) {
    updateProduct(id: $id, input: $input, expectedVersion: $expectedVersion) {
      id
      name
      price
      version
    }
  }
`;
export const DELETE_PRODUCT = /* GraphQL */ `
  mutation ($id: ID!) {
    deleteProduct(id: $id) {
      id
      version
      deletedAt
    }
  }
`;
export const CREATE_CUSTOMER = /* GraphQL */ `
  mutation ($input: CreateCustomerInput!, $key: String) {
    createCustomer(input: $input, idempotencyKey: $key) {
      id
      firstName
      lastName
      version
    }
  }
`;
export const UPDATE_CUSTOMER = /* GraphQL */ `
  mutation ($id: ID!, $input: UpdateCustomerInput!, $expectedVersion: Int) {
    updateCustomer(id: $id, input: $input, expectedVersion: $expectedVersion) {
      id
      firstName
      lastName
      version
    }
  }
`;
export const DELETE_CUSTOMER = /* GraphQL */ `
  mutation ($id: ID!, $expectedVersion: Int) {
    deleteCustomer(id: $id, expectedVersion: $expectedVersion) {
      id
      deletedAt
    }
  }
`;
export const CREATE_PURCHASE = /* GraphQL */ `
  mutation ($input: CreatePurchaseInput!, $key: String) {
    createPurchase(input: $input, idempotencyKey: $key) {
      id
      total
      transactionDate
      product {
        id
        name
      }
      customer {
        id
        firstName
      }
    }
  }
`;
export const DASHBOARD = /* GraphQL */ `
  query Dashboard {
    customers(first: 500) {
      totalCount
      nodes {
        id
        firstName
        lastName
        purchaseCount
        totalSpent
      }
    }
    products(first: 500) {
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
export const PURCHASES_OF_CUSTOMER = /* GraphQL */ `
  query ($id: ID!) {
    customer(id: $id) {
      purchases(first: 10) {
        totalCount
        nodes {
          total
          transactionDate
          product {
            name
            price
          }
          customer {
            firstName
            lastName
          }
        }
      }
    }
  }
`;
