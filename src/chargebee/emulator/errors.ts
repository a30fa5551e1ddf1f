// Chargebee-shaped error bodies. Real responses also carry the legacy
// error_code/error_msg/error_param keys, so clients parsing either set work.

export interface ChargebeeErrorBody {
  message: string;
  type?: string;
  api_error_code: string;
  param?: string;
  error_code: string;
  error_msg: string;
  error_param?: string;
  http_status_code: number;
}

/** Thrown inside handlers; the HTTP layer turns it into a JSON error response. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly apiErrorCode: string,
    message: string,
    readonly type?: string,
    readonly param?: string,
  ) {
    super(message);
  }

  body(): ChargebeeErrorBody {
    return errorBody(this.status, this.apiErrorCode, this.message, this.type, this.param);
  }
}

export function errorBody(
  status: number,
  apiErrorCode: string,
  message: string,
  type?: string,
  param?: string,
): ChargebeeErrorBody {
  const body: ChargebeeErrorBody = {
    message,
    api_error_code: apiErrorCode,
    error_code: apiErrorCode,
    error_msg: message,
    http_status_code: status,
  };
  if (type) body.type = type;
  if (param) {
    body.param = param;
    body.error_param = param;
  }
  return body;
}

export const authFailed = (): ApiError =>
  new ApiError(401, 'api_authentication_failed', 'Sorry, authentication failed. Invalid api key', 'invalid_request');

export const rateLimited = (): ApiError =>
  new ApiError(
    429,
    'api_request_limit_exceeded',
    'Sorry, access has been blocked temporarily due to request count exceeding acceptable limits. Please try after some time.',
    'operation_failed',
  );

export const notFound = (resource: string, id: string): ApiError =>
  new ApiError(404, 'resource_not_found', `Sorry, we couldn't find that resource: ${resource} ${id}`, 'invalid_request');

export const badParam = (param: string, message: string): ApiError =>
  new ApiError(400, 'param_wrong_value', `${param} : ${message}`, 'invalid_request', param);

export const invalidRequest = (message: string): ApiError =>
  new ApiError(400, 'invalid_request', message, 'invalid_request');

export function injectedFailure(status: number): ApiError {
  if (status === 503) {
    return new ApiError(
      503,
      'internal_temporary_error',
      'Sorry, the server is currently unable to handle the request due to a temporary overload or scheduled maintenance. Please retry after sometime.',
    );
  }
  if (status === 504) return new ApiError(504, 'gateway_timeout', 'The server did not receive a timely response.');
  return new ApiError(
    status,
    'internal_error',
    'Sorry, something went wrong when trying to process the request. If this problem persists, contact us at support@chargebee.com.',
  );
}
