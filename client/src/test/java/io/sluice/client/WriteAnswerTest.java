package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** A row's offset is its part's base offset plus its rank among the request's rows of the part. */
class WriteAnswerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void ranksRowsWithinEachPartitionAndBucket() throws Exception {
    var answer =
        JSON.readTree(
            "{\"rows\": 4, \"buckets\": [{\"partition\": \"d=1\", \"bucket\": 0, \"baseOffset\":"
                + " 10, \"count\": 2}, {\"partition\": \"d=2\", \"bucket\": 0, \"baseOffset\": 5,"
                + " \"count\": 1}, {\"partition\": \"d=1\", \"bucket\": 1, \"baseOffset\": 0,"
                + " \"count\": 1}], \"rowBuckets\": [0, 0, 1, 0], \"rowPartitions\": [\"d=1\","
                + " \"d=2\", \"d=1\", \"d=1\"]}");
    assertThat(WriteAnswer.offsets(answer, 4))
        .containsExactly(
            new RowOffset("d=1", 0, 10),
            new RowOffset("d=2", 0, 5),
            new RowOffset("d=1", 1, 0),
            new RowOffset("d=1", 0, 11));
  }

  @Test
  void anAnswerThatDoesNotAccountForTheRowsIsRefused() throws Exception {
    var answer =
        JSON.readTree(
            "{\"rows\": 2, \"buckets\": [{\"bucket\": 0, \"baseOffset\": 0, \"count\": 1}],"
                + " \"rowBuckets\": [0, 0]}");
    assertThatThrownBy(() -> WriteAnswer.offsets(answer, 2))
        .isInstanceOf(SluiceException.class)
        .hasMessageContaining("row 2 is in");
  }
}
