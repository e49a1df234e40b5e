import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// CI runs every tier on two cores: give findBy/waitFor room beyond their 1 s default.
configure({ asyncUtilTimeout: 5000 });

// Vitest runs without globals here, so Testing Library cannot register its own cleanup.
afterEach(() => cleanup());
