export { paginate, encodeCursor, decodeCursor, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type Connection, type PageArgs } from './connection.ts';
export { EntityTable, type Versioned } from './entity-table.ts';
export { WholeStateTable } from './whole-state.ts';
