import type { Logger } from '../../logger.js';
import { ConfigError } from '../../config/env.js';
import { ApiTokenConfigError, isLoopback, loopbackViewer, parseApiTokens, viewerForAuthorization, type ApiToken, type Viewer } from './tokens.js';

export interface AuthSettings {
  /** API_TOKENS as configured. */
  apiTokens: string | undefined;
  production: boolean;
}

export interface Authenticator {
  /** The caller, or null for 401. `remoteAddress` matters only in open (no tokens) development mode. */
  viewerFor(authorization: string | null, remoteAddress: string | undefined): Viewer | null;
  /** True when no tokens are configured and loopback callers get admin access. */
  openLoopback: boolean;
}

export function createAuthenticator(settings: AuthSettings, logger: Logger): Authenticator {
  let tokens: ApiToken[];
  try {
    tokens = parseApiTokens(settings.apiTokens);
  } catch (error) {
    if (error instanceof ApiTokenConfigError) throw new ConfigError(`Invalid configuration: ${error.message}`);
    throw error;
  }
  // loadEnv refuses this already; checked again so a hand-built Env cannot open production up.
  if (tokens.length === 0 && settings.production) throw new ConfigError('Invalid configuration: API_TOKENS is required when NODE_ENV=production');
  const openLoopback = tokens.length === 0;
  if (openLoopback) {
    logger.warn('API_TOKENS is not set: /graphql grants admin access to loopback callers only (development mode)');
  }
  return {
    openLoopback,
    viewerFor(authorization, remoteAddress) {
      if (openLoopback) return isLoopback(remoteAddress) ? loopbackViewer : null;
      return viewerForAuthorization(authorization, tokens);
    },
  };
}
