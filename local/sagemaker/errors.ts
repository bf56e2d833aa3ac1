/** An error answered on the wire as an awsJson1_1 error: `{"__type": type, "Message": message}`. */
export class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export function validationError(message: string): ApiError {
  return new ApiError('ValidationException', message);
}

export function serializationError(message: string): ApiError {
  return new ApiError('SerializationException', message);
}
