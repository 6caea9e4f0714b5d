import { METHODS } from 'node:http';
import type { INestApplication } from '@nestjs/common';

/** The API's global prefix: every controller route is registered under it. */
export const API_PREFIX = '/api/v1';
/** The OpenAPI documents and Swagger UI (`/api/docs…` and `/api/docs-yaml`): public by design, not routes of the API. */
export const DOCS_PREFIX = '/api/docs';

/**
 * Where Nest mounts its middleware (request id, logging): Express 5's `app.all` registers each of
 * them as a route answering every method. Never a route of the API, so never listed.
 */
const MIDDLEWARE_MOUNTS = new Set([API_PREFIX, `${API_PREFIX}/{*path}`]);
/** What a route answering every method is listed as when it is not a middleware mount (an @All() handler). */
const ANY_METHOD_AS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export interface AppRoute {
  /** Upper case: `GET`, `POST`, … */
  method: string;
  /** The path as the router registers it (`/api/v1/demands/:id`), or relative to `relativeTo`. */
  path: string;
  /** `METHOD path`, e.g. `POST /demands/:id/cancel`: how the tests key their tables. */
  key: string;
}

/** Which of the router's routes to list, and how. Every filter is a plain string prefix, so `/api/docs` also matches `/api/docs-yaml`. */
export interface RouteWalkOptions {
  /** Only paths starting with this prefix (the others, e.g. the docs, are left out). */
  only?: string;
  /** Leave out paths starting with one of these. */
  except?: readonly string[];
  /** Strip this prefix from the paths that start with it (`/api/v1/demands` → `/demands`); others stay as they are. */
  relativeTo?: string;
  /** Only these methods (upper case). */
  methods?: readonly string[];
}

interface ExpressLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
}

/**
 * Every route the running app's Express router serves (Express 5 keeps them as layers with a
 * `route` in `app.router.stack`), filtered by `options`, sorted by key, each once. Nest's
 * middleware mounts are never listed; a route answering every method elsewhere (an @All()
 * handler) is listed under the five methods of the API, so it cannot hide from a test.
 */
export function appRoutes(app: INestApplication, options: RouteWalkOptions = {}): AppRoute[] {
  const express = app.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } };
  const keep = (path: string) => (options.only === undefined || path.startsWith(options.only)) && !(options.except ?? []).some((prefix) => path.startsWith(prefix));
  const routes = new Map<string, AppRoute>();
  for (const layer of express.router.stack) {
    if (!layer.route) continue;
    const { route } = layer;
    const paths = Array.isArray(route.path) ? route.path : [route.path];
    const methods = Object.keys(route.methods).filter((m) => route.methods[m] && m !== '_all');
    const anyMethod = methods.length >= METHODS.length - 1;
    for (const path of paths) {
      if ((anyMethod && MIDDLEWARE_MOUNTS.has(path)) || !keep(path)) continue;
      const listed = options.relativeTo !== undefined && path.startsWith(options.relativeTo) ? path.slice(options.relativeTo.length) : path;
      for (const method of anyMethod ? ANY_METHOD_AS : methods.map((m) => m.toUpperCase())) {
        if (options.methods && !options.methods.includes(method)) continue;
        const key = `${method} ${listed}`;
        routes.set(key, { method, path: listed, key });
      }
    }
  }
  return [...routes.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The route of `routes` that serves `method` `url` (a concrete path, without the query), or undefined. */
export function routeServing(routes: readonly AppRoute[], method: string, url: string): AppRoute | undefined {
  const path = url.split('?')[0];
  return routes.find((r) => r.method === method.toUpperCase() && patternOf(r.path).test(path));
}

/** `/demands/:id/cancel` → a RegExp matching `/demands/12/cancel` (a parameter is one path segment). */
function patternOf(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}
