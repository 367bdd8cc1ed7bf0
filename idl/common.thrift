// Types shared by the bundled job services.
namespace py thrift_queue.common
namespace java io.thriftqueue.common

/** How urgently a job should run. */
enum Priority {
  LOW = 1,
  NORMAL = 2,
  HIGH = 3,
}

/** Who asked for a job. */
struct Owner {
  1: required string name,
  2: optional i64 accountId,
}
