export { describeEventLogContract, collector } from './contract.ts';
