export {
  paginate,
  paginateIndexes,
  pageSize,
  mapNodes,
  encodeCursor,
  decodeCursor,
  encodeKeyCursor,
  decodeKeyCursor,
  paginateByKey,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type Connection,
  type PageArgs,
} from './connection.ts';
export { EntityTable, type Versioned } from './entity-table.ts';
export { OrderedIds, creationKey } from './ordered-ids.ts';
export { mirrorState, WholeStateTable, type Mirrored, type WholeStateTableSnapshot } from './whole-state.ts';
export { HistoryIndex, type EventRef, type HistoryIndexSnapshot } from './history-index.ts';
export { TimeIndex, type TimeIndexSnapshot } from './time-index.ts';
export { NumberColumn, IntColumn, countBelow } from './numbers.ts';
export { IdNumbers } from './id-numbers.ts';
export { IdTable, type IdTableSnapshot } from './id-table.ts';
export { RecordReader, type RecordReaderOptions } from './record-reader.ts';
export {
  EntityHistory,
  diffFields,
  type ChangeKind,
  type EntityHistoryOptions,
  type FieldChange,
  type HistoryEntry,
  type HistoryPageArgs,
} from './history.ts';
export { WholeStateReadModel, type WholeStateModelSpec, type WholeStateSnapshot } from './whole-state-model.ts';
export { SortedIndex } from './sorted-index.ts';
export {
  ArraySource,
  checkOffset,
  compareKeys,
  decodeSortCursor,
  encodeSortCursor,
  pageInOrder,
  MAX_OFFSET,
  type KeyShape,
  type OrderedPageArgs,
  type OrderedPageOptions,
  type OrderedSource,
  type SortKey,
} from './ordered-page.ts';
export { WordIndex, fold, searchTerms, textMatches, wordsOf, MAX_SEARCH_LENGTH } from './word-index.ts';
export { SortedLists, sortedPageOf, type ListOrder, type SortedListsSpec, type SortedPageArgs } from './sorted-lists.ts';
