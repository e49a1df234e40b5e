import type { GraphiQLProps } from 'graphiql';

type TabDefinition = NonNullable<GraphiQLProps['defaultTabs']>[number];

/**
 * The tabs a first visit opens with: one query, one mutation and one subscription, so each kind
 * of operation can be run with one click (Ctrl-Enter) against the live system.
 */
export const examples: TabDefinition[] = [
  {
    query: `# The original dashboard's joins and aggregates,
# as plain federated fields. Run: Ctrl-Enter.
query Dashboard {
  customers(first: 10) {
    totalCount
    nodes {
      id firstName lastName
      purchaseCount totalSpent
    }
  }
  products(first: 10) {
    totalCount
    nodes {
      id name price
      purchaseCount customerCount totalSpent
    }
  }
}
`,
  },
  {
    query: `# A mutation appends one event and answers once
# it is applied (read-your-writes).
mutation CreateProduct($input: CreateProductInput!) {
  createProduct(input: $input) { id name price version createdAt }
}
`,
    variables: JSON.stringify({ input: { name: 'Jam', price: '3.10' } }, null, 2),
  },
  {
    query: `# Live: each purchase, with fields of all three
# subgraphs as of that purchase. Run it, then record
# a purchase (dashboard, shell, another tab).
subscription PurchasesMade {
  purchaseMade {
    position
    occurredAt
    purchase {
      total
      product { name purchaseCount totalSpent }
      customer {
        firstName lastName
        purchaseCount totalSpent
      }
    }
  }
}
`,
  },
];
