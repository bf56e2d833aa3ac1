/**
 * The Resource Groups Tagging API's `GetResources`, as far as it shows SageMaker's work teams: the emulator holds
 * their tags, so it answers this service too (the local cloud points AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API
 * at it), for one account and region at a time, as the API does. The botocore model's rules: a request names
 * `ResourceARNList` (1-100 ARNs) or filters and pages (`ResourceTypeFilters`, `ResourcesPerPage` 1-100,
 * `PaginationToken`), never both (InvalidParameterException); only resources that carry tags are listed; the last
 * page's `PaginationToken` is the empty string. Tag filters are not emulated (refused: nothing here uses them).
 */
import { ApiError } from './errors';
import { isRecord, type Json } from './input';
import type { SageMakerState } from './state';

export const TAGGING_PREFIX = 'ResourceGroupsTaggingAPI_20170126.';
const DEFAULT_PAGE = 50;

function invalid(message: string): ApiError {
  return new ApiError('InvalidParameterException', message);
}

export function getResources(state: SageMakerState, body: Record<string, unknown>): Json {
  const arns = body.ResourceARNList;
  const paged = ['ResourceTypeFilters', 'ResourcesPerPage', 'TagsPerPage', 'PaginationToken', 'TagFilters'];
  if (body.TagFilters !== undefined && (!Array.isArray(body.TagFilters) || body.TagFilters.length > 0)) {
    throw invalid('TagFilters are not supported by the local cloud');
  }
  const tagged = state.workteamTags().filter(({ tags }) => tags.length > 0);
  if (arns !== undefined) {
    if (paged.some((field) => body[field] !== undefined)) {
      throw invalid('ResourceARNList cannot be combined with filters or pagination parameters');
    }
    if (!Array.isArray(arns) || arns.length < 1 || arns.length > 100 || !arns.every((arn) => typeof arn === 'string')) {
      throw invalid('ResourceARNList must hold 1 to 100 ARNs');
    }
    const wanted = new Set(arns);
    return { PaginationToken: '', ResourceTagMappingList: mappings(tagged.filter(({ arn }) => wanted.has(arn))) };
  }
  const types = body.ResourceTypeFilters;
  if (types !== undefined && (!Array.isArray(types) || !types.every((type) => typeof type === 'string'))) {
    throw invalid('ResourceTypeFilters must be a list of resource types');
  }
  const ofWorkteams =
    types === undefined ||
    types.length === 0 ||
    types.some((type) => type === 'sagemaker' || type === 'sagemaker:workteam');
  const perPage = body.ResourcesPerPage ?? DEFAULT_PAGE;
  if (typeof perPage !== 'number' || !Number.isInteger(perPage) || perPage < 1 || perPage > 100) {
    throw invalid('ResourcesPerPage must be between 1 and 100');
  }
  const start = offsetOf(body.PaginationToken);
  const all = ofWorkteams ? tagged.sort((a, b) => (a.arn < b.arn ? -1 : 1)) : [];
  const page = all.slice(start, start + perPage);
  const next = start + page.length;
  return {
    PaginationToken: next < all.length ? Buffer.from(JSON.stringify({ offset: next })).toString('base64url') : '',
    ResourceTagMappingList: mappings(page),
  };
}

function offsetOf(token: unknown): number {
  if (token === undefined || token === '') return 0;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8'));
    if (isRecord(decoded) && Number.isInteger(decoded.offset) && Number(decoded.offset) >= 0)
      return Number(decoded.offset);
  } catch {
    // refused below
  }
  throw invalid('PaginationToken is not one this API returned');
}

function mappings(resources: { arn: string; tags: Json[] }[]): Json[] {
  return resources.map(({ arn, tags }) => ({ ResourceARN: arn, Tags: tags }));
}
