/**
 * Type-level checks of the generated client (checked by `npm run typecheck`): two-way methods return the
 * receipt plus a `result()` typed with the IDL return type; oneway methods return the plain receipt.
 */
import { describe, expectTypeOf, it } from "vitest";
import {
  createEncodingChannel,
  createProducer,
  MemoryTransport,
  type EncodedCall,
  type PendingResult,
  type Receipt,
  type ResultOptions,
  type StructCodec,
  type SuccessOf,
} from "thrift-queue";
import {
  createThumbnailsClient,
  Thumbnails,
  type Thumbnails_countRendered_result,
  type ThumbnailsClient,
} from "../../../examples/quickstart/gen/jobs.ts";
import type {
  Admin_reset_result,
  AdminClient,
  Inventory_get_result,
  Record as InventoryRecord,
} from "../../golden/gen/everything/everything.ts";

describe("generated client types", () => {
  it("types Thumbnails.countRendered end to end", () => {
    const client = createThumbnailsClient(createProducer({ transport: new MemoryTransport({ queue: "types" }) }));
    expectTypeOf(client).toEqualTypeOf<ThumbnailsClient<Receipt>>();
    type Client = typeof client;
    expectTypeOf<Client["countRendered"]>().returns.resolves.toEqualTypeOf<PendingResult<Receipt, number>>();
    expectTypeOf<Client["countRendered"]>().returns.resolves.toHaveProperty("jobId").toEqualTypeOf<string>();
    expectTypeOf<PendingResult<Receipt, number>["result"]>().parameters.toEqualTypeOf<[options?: ResultOptions]>();
    expectTypeOf<PendingResult<Receipt, number>["result"]>().returns.resolves.toEqualTypeOf<number>();
    expectTypeOf<Client["render"]>().returns.resolves.toEqualTypeOf<Receipt>();
    expectTypeOf<Client["render"]>().returns.resolves.not.toHaveProperty("result");
  });

  it("keeps the channel's own receipt type under the result handle", () => {
    type Client = ReturnType<typeof createThumbnailsClient<EncodedCall>>;
    expectTypeOf(createThumbnailsClient(createEncodingChannel())).toEqualTypeOf<Client>();
    expectTypeOf<Client["countRendered"]>().returns.resolves.toEqualTypeOf<PendingResult<EncodedCall, number>>();
    expectTypeOf<Client["countRendered"]>().returns.resolves.toHaveProperty("bytes").toEqualTypeOf<Uint8Array>();
  });

  it("derives the return type from the result struct: the success field, or void", () => {
    expectTypeOf<SuccessOf<Thumbnails_countRendered_result>>().toEqualTypeOf<number>();
    expectTypeOf<SuccessOf<Inventory_get_result>>().toEqualTypeOf<InventoryRecord>();
    expectTypeOf<SuccessOf<Admin_reset_result>>().toEqualTypeOf<void>();
    expectTypeOf<AdminClient<Receipt>["reset"]>().returns.resolves.toEqualTypeOf<PendingResult<Receipt, void>>();
    expectTypeOf(Thumbnails.methods.countRendered.result).toEqualTypeOf<
      StructCodec<Thumbnails_countRendered_result> | undefined
    >();
  });
});
