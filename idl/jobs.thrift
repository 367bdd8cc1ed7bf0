// The bundled example: a thumbnail service called by a web tier and run by workers in any language.
namespace py thrift_queue.jobs
namespace java io.thriftqueue.jobs

include "common.thrift"

typedef i64 Micros

/** A request to render thumbnails of an uploaded image. */
struct ThumbnailJob {
  1: required string imageId,
  2: required Micros requestedAt,
  3: common.Priority priority = common.Priority.NORMAL,
  4: list<string> sizes,
  5: map<string, string> labels,
  6: optional common.Owner owner,
}

/** Raised when an image cannot be read. */
exception UnreadableImage {
  1: string imageId,
  2: string reason,
}

service Thumbnails {
  /** Queue a thumbnail job; returns as soon as the broker has it. */
  oneway void render(1: ThumbnailJob job) (tq.maxAttempts = "5", tq.timeoutSeconds = "600")

  /** Count the thumbnails already rendered for an image. */
  i32 countRendered(1: string imageId) throws (1: UnreadableImage unreadable)
}
