import { Body, Controller, Get, HttpCode, HttpException, HttpStatus, Inject, Post } from '@nestjs/common';
import { describeError } from '@quant/errors';
import { grpcStatusOf } from './inference.grpc';
import type { ProtoPredictRequest, ProtoRecommendRequest } from './inference.mapping';
import { checkHorizon, predictInput, predictResponse, recommendInput, recommendResponse, recommendationList } from './inference.mapping';
import { InferenceRuntime } from './inference.runtime';

const HTTP_OF_GRPC: Record<number, number> = { 3: HttpStatus.BAD_REQUEST, 5: HttpStatus.NOT_FOUND, 14: HttpStatus.SERVICE_UNAVAILABLE };

function httpError(error: unknown): HttpException {
  const { code, message } = describeError(error);
  return new HttpException({ code, message }, HTTP_OF_GRPC[grpcStatusOf(code)] ?? HttpStatus.INTERNAL_SERVER_ERROR);
}

/**
 * The gRPC methods over HTTP/JSON, bodies and answers in the proto3 JSON mapping of
 * quant.inference.v1 (lower camel case). Recommend answers the RecommendResponse (the Avro list's
 * fields, nulls kept) plus the request's echo: requestId, topK, nDrop, horizonDays, tradeDateEstimated.
 */
@Controller('v1')
export class InferenceController {
  constructor(@Inject(InferenceRuntime) private readonly runtime: InferenceRuntime) {}

  @Post('predict')
  @HttpCode(200)
  async predict(@Body() body: ProtoPredictRequest): Promise<unknown> {
    try {
      const { input, horizonDays } = predictInput(body);
      const out = await this.runtime.engine.predict(input);
      checkHorizon(horizonDays, out);
      return predictResponse(out, Date.now());
    } catch (error) {
      throw httpError(error);
    }
  }

  @Post('recommend')
  @HttpCode(200)
  async recommend(@Body() body: ProtoRecommendRequest): Promise<unknown> {
    try {
      const out = await this.runtime.engine.recommend(recommendInput(body));
      const list = recommendResponse(recommendationList(out, `rec:${out.listId}:${out.requestId}`));
      return { ...list, requestId: out.requestId, topK: out.topK, nDrop: out.nDrop, horizonDays: out.model.horizonDays, tradeDateEstimated: out.tradeDateEstimated };
    } catch (error) {
      throw httpError(error);
    }
  }

  /** What is served: the production set and its members. */
  @Get('models')
  models(): unknown {
    return { serving: this.runtime.engine.serving, model: this.runtime.engine.describe(), grpcPort: this.runtime.grpcPort };
  }
}
