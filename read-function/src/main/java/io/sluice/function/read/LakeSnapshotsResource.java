package io.sluice.function.read;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.scan.ScanService;
import io.sluice.core.table.TableName;
import io.sluice.function.TableViews;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /v1/tables/{table}/lake/snapshots?lake=}: a lake table's snapshots, newest first. */
@Path("/v1/tables/{table}/lake/snapshots")
@Produces(MediaType.APPLICATION_JSON)
public class LakeSnapshotsResource {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject ScanService scans;

  @GET
  public ObjectNode snapshots(@PathParam("table") String table, @QueryParam("lake") String lake) {
    ObjectNode answer = JSON.createObjectNode();
    var list = answer.putArray("snapshots");
    for (LakeSnapshot snapshot :
        scans.snapshots(TableName.parse(table), QueryParams.lakeFormat(lake))) {
      ObjectNode node = list.addObject();
      node.put("lake", snapshot.format().apiName());
      node.put("snapshotId", snapshot.snapshotId());
      node.put("commitTime", snapshot.commitTime().toString());
      node.put("rows", snapshot.rows());
      node.set("offsets", TableViews.offsets(snapshot.offsets()));
    }
    return answer;
  }
}
