"""Java stack traces and the GetInstanceExceptions payload built from an instance's failovers."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from functools import lru_cache
from typing import Any

from foas_tui.emulator.runtime.base import ALL_EXCEPTIONS_CAP, HISTORY_CAP, InstanceView, _hex, _inst_key, _key, _u, cst
from foas_tui.emulator.runtime.lifecycle import _failure_time, _Failures, _failures, _horizon, _started
from foas_tui.emulator.runtime.plan import _Vertex, _view_vertices, synth_code
from foas_tui.emulator.runtime.validation import _analyze, _io, _Table


def failure_state(v: InstanceView) -> tuple[int, int | None, str | None]:
    """(failovers, LastErrorTime, LastErrorMessage) as of v.now_ms: 'failing' and 'restarting' instances keep
    failing over on their own, so a service that does not track failovers can ask here."""
    f = _failures(v)
    if f.count == 0:
        return 0, None, None
    return f.count, f.latest, _event_text(v, f, 0).split("\n", 1)[0]


# --------------------------------------------------------------------------------------------------------------
# Java stack traces

_TASK_TAIL = """at @F.streaming.runtime.tasks.StreamTask.invoke(StreamTask.java:306)
at @F.runtime.taskmanager.Task.run(Task.java:711)
at java.lang.Thread.run(Thread.java:834)"""
_SOURCE_TAIL = """at @B.common.source.ParallelReader.runImpl(ParallelReader.java:301)
at @B.common.source.ParallelReader.run(ParallelReader.java:196)
at @B.common.source.AbstractParallelSourceBase.run(AbstractParallelSourceBase.java:259)
at @F.streaming.api.operators.StreamSource.run(StreamSource.java:94)
at @F.streaming.api.operators.StreamSource.run(StreamSource.java:58)
at @F.streaming.runtime.tasks.SourceStreamTask.run(SourceStreamTask.java:99)
""" + _TASK_TAIL
_CHAIN = """at @F.streaming.runtime.tasks.OperatorChain$ChainingOutput.pushToOperator(OperatorChain.java:588)
at @F.streaming.runtime.tasks.OperatorChain$ChainingOutput.collect(OperatorChain.java:563)
at @F.streaming.runtime.tasks.OperatorChain$ChainingOutput.collect(OperatorChain.java:523)
at @F.streaming.api.operators.AbstractStreamOperator$CountingOutput.collect(AbstractStreamOperator.java:733)
at @F.streaming.api.operators.AbstractStreamOperator$CountingOutput.collect(AbstractStreamOperator.java:711)"""
_INPUT_TAIL = """at @F.streaming.runtime.io.StreamInputProcessor.processInput(StreamInputProcessor.java:216)
at @F.streaming.runtime.tasks.OneInputStreamTask.run(OneInputStreamTask.java:105)
""" + _TASK_TAIL
_SOCKET_READ = """Caused by: java.net.SocketTimeoutException: Read timed out
at java.net.SocketInputStream.socketRead0(Native Method)
at java.net.SocketInputStream.socketRead(SocketInputStream.java:116)
at java.net.SocketInputStream.read(SocketInputStream.java:171)
at java.net.SocketInputStream.read(SocketInputStream.java:141)"""
_SINK_HEAD = """at @B.common.sink.OutputFormatSinkFunction.invoke(OutputFormatSinkFunction.java:95)
at @F.streaming.api.operators.StreamSink.processElement(StreamSink.java:56)
""" + _CHAIN

# kind -> (applies to: "source:<type>", "sink:<type>", "any", "checkpoint", "batch"), text with <<placeholders>>
_TRACES: dict[str, tuple[str, str]] = {
    "datahub_read": ("source:datahub", """java.io.IOException: Failed to get records from DataHub,\
 project: <<project>>_dh, topic: <<topic>>, shardId: <<shard>>
at @B.datahub.source.DatahubRecordReader.next(DatahubRecordReader.java:195)
""" + _SOURCE_TAIL + """
Caused by: com.aliyun.datahub.client.exception.DatahubClientException: [httpStatus:503,\
 requestId:<<request_id>>, errorCode:ServiceUnavailable, errorMessage:Service is temporarily\
 unavailable, please retry later.]
at com.aliyun.datahub.client.impl.request.DatahubRequestHandler.handleError(DatahubRequestHandler.java:89)
at com.aliyun.datahub.client.impl.request.DatahubRequestHandler.execute(DatahubRequestHandler.java:67)
at com.aliyun.datahub.client.impl.DatahubClientJsonImpl.callWrapper(DatahubClientJsonImpl.java:643)
at com.aliyun.datahub.client.impl.DatahubClientJsonImpl.getRecords(DatahubClientJsonImpl.java:322)
at @B.datahub.DatahubClientProvider$1.getRecords(DatahubClientProvider.java:117)
at @B.datahub.source.DatahubRecordReader.fetchRecords(DatahubRecordReader.java:241)
at @B.datahub.source.DatahubRecordReader.next(DatahubRecordReader.java:178)
... 9 more
""" + _SOCKET_READ + """
at org.apache.http.impl.io.SessionInputBufferImpl.streamRead(SessionInputBufferImpl.java:137)
at org.apache.http.impl.io.SessionInputBufferImpl.fillBuffer(SessionInputBufferImpl.java:153)
at org.apache.http.impl.io.SessionInputBufferImpl.readLine(SessionInputBufferImpl.java:282)
at org.apache.http.impl.conn.DefaultHttpResponseParser.parseHead(DefaultHttpResponseParser.java:138)
at org.apache.http.impl.execchain.MainClientExec.execute(MainClientExec.java:272)
... 14 more"""),
    "kafka_fetch": ("source:kafka", """java.lang.RuntimeException: Failed to fetch records from Kafka,\
 topic: <<topic>>, partitions: [<<topic>>-<<shard>>]
at @B.kafka.source.Kafka011BaseFetcher.runFetchLoop(Kafka011BaseFetcher.java:188)
at @B.kafka.source.KafkaBaseSourceFunction.run(KafkaBaseSourceFunction.java:412)
at @F.streaming.api.operators.StreamSource.run(StreamSource.java:94)
at @F.streaming.api.operators.StreamSource.run(StreamSource.java:58)
at @F.streaming.runtime.tasks.SourceStreamTask.run(SourceStreamTask.java:99)
""" + _TASK_TAIL + """
Caused by: org.apache.kafka.common.errors.TimeoutException: Timeout of 60000ms expired before the\
 position for partition <<topic>>-<<shard>> could be determined
at org.apache.kafka.clients.consumer.KafkaConsumer.position(KafkaConsumer.java:1720)
at org.apache.kafka.clients.consumer.KafkaConsumer.position(KafkaConsumer.java:1684)
at @B.kafka.source.KafkaConsumerThread.seekToStartOffsets(KafkaConsumerThread.java:296)
at @B.kafka.source.KafkaConsumerThread.reassignPartitions(KafkaConsumerThread.java:402)
at @B.kafka.source.KafkaConsumerThread.run(KafkaConsumerThread.java:241)
Caused by: org.apache.kafka.common.errors.DisconnectException: Cancelled fetch request to node\
 <<broker>> (id: 2 rack: null) due to node being disconnected
at org.apache.kafka.clients.consumer.internals.ConsumerNetworkClient$RequestFutureCompletionHandler.fireF\
ailure(ConsumerNetworkClient.java:596)
at org.apache.kafka.clients.consumer.internals.ConsumerNetworkClient.checkDisconnects(ConsumerNetworkClient.java:446)
at org.apache.kafka.clients.consumer.internals.ConsumerNetworkClient.poll(ConsumerNetworkClient.java:257)
at org.apache.kafka.clients.consumer.internals.ConsumerNetworkClient.poll(ConsumerNetworkClient.java:215)
at org.apache.kafka.clients.consumer.internals.Fetcher.getOffsetsByTimes(Fetcher.java:486)
... 5 more"""),
    "sls_quota": ("source:sls", """java.io.IOException: Failed to pull logs from SLS, project:\
 <<project>>-logs, logStore: <<topic>>, shard: <<shard>>
at @B.sls.source.SlsRecordReader.next(SlsRecordReader.java:214)
""" + _SOURCE_TAIL + """
Caused by: com.aliyun.openservices.log.exception.LogException: ErrorCode:ReadQuotaExceed,\
 ErrorMessage:shard read quota exceed, RequestId:<<request_id>>
at com.aliyun.openservices.log.Client.ErrorCheck(Client.java:2441)
at com.aliyun.openservices.log.Client.SendData(Client.java:2584)
at com.aliyun.openservices.log.Client.SendData(Client.java:2539)
at com.aliyun.openservices.log.Client.BatchGetLog(Client.java:1297)
at com.aliyun.openservices.log.Client.BatchGetLog(Client.java:1270)
at com.aliyun.openservices.log.Client.pullLogs(Client.java:1335)
at @B.sls.source.SlsClientProxy.pullData(SlsClientProxy.java:156)
at @B.sls.source.SlsRecordReader.next(SlsRecordReader.java:197)
... 9 more"""),
    "remote_transport": ("any", """org.apache.flink.runtime.io.network.netty.exception.RemoteTransportExc\
eption: Connection unexpectedly closed by remote task manager '<<peer>>/<<peer_ip>>:<<peer_port>>'. This\
 might indicate that the remote task manager was lost.
at @F.runtime.io.network.netty.CreditBasedPartitionRequestClientHandler.channelInactive(CreditBasedPartit\
ionRequestClientHandler.java:136)
at @N.channel.AbstractChannelHandlerContext.invokeChannelInactive(AbstractChannelHandlerContext.java:245)
at @N.channel.AbstractChannelHandlerContext.invokeChannelInactive(AbstractChannelHandlerContext.java:231)
at @N.channel.AbstractChannelHandlerContext.fireChannelInactive(AbstractChannelHandlerContext.java:224)
at @N.channel.ChannelInboundHandlerAdapter.channelInactive(ChannelInboundHandlerAdapter.java:75)
at @N.handler.codec.ByteToMessageDecoder.channelInputClosed(ByteToMessageDecoder.java:377)
at @N.handler.codec.ByteToMessageDecoder.channelInactive(ByteToMessageDecoder.java:342)
at @N.channel.AbstractChannelHandlerContext.invokeChannelInactive(AbstractChannelHandlerContext.java:245)
at @N.channel.AbstractChannelHandlerContext.invokeChannelInactive(AbstractChannelHandlerContext.java:231)
at @N.channel.AbstractChannelHandlerContext.fireChannelInactive(AbstractChannelHandlerContext.java:224)
at @N.channel.DefaultChannelPipeline$HeadContext.channelInactive(DefaultChannelPipeline.java:1429)
at @N.channel.AbstractChannelHandlerContext.invokeChannelInactive(AbstractChannelHandlerContext.java:245)
at @N.channel.AbstractChannelHandlerContext.invokeChannelInactive(AbstractChannelHandlerContext.java:231)
at @N.channel.DefaultChannelPipeline.fireChannelInactive(DefaultChannelPipeline.java:947)
at @N.channel.AbstractChannel$AbstractUnsafe$8.run(AbstractChannel.java:822)
at @N.util.concurrent.AbstractEventExecutor.safeExecute(AbstractEventExecutor.java:163)
at @N.util.concurrent.SingleThreadEventExecutor.runAllTasks(SingleThreadEventExecutor.java:404)
at @N.channel.epoll.EpollEventLoop.run(EpollEventLoop.java:309)
at @N.util.concurrent.SingleThreadEventExecutor$5.run(SingleThreadEventExecutor.java:884)
at java.lang.Thread.run(Thread.java:834)"""),
    "heartbeat": ("any", """java.util.concurrent.TimeoutException: Heartbeat of TaskManager with id\
 <<container>> timed out.
at @F.runtime.jobmaster.JobMaster$TaskManagerHeartbeatListener.notifyHeartbeatTimeout(JobMaster.java:1656)
at @F.runtime.heartbeat.HeartbeatManagerImpl$HeartbeatMonitor.run(HeartbeatManagerImpl.java:339)
at java.util.concurrent.Executors$RunnableAdapter.call(Executors.java:511)
at java.util.concurrent.FutureTask.run(FutureTask.java:266)
at @F.runtime.rpc.akka.AkkaRpcActor.handleRunAsync(AkkaRpcActor.java:332)
at @F.runtime.rpc.akka.AkkaRpcActor.handleRpcMessage(AkkaRpcActor.java:158)
at @F.runtime.rpc.akka.FencedAkkaRpcActor.handleRpcMessage(FencedAkkaRpcActor.java:70)
at @F.runtime.rpc.akka.AkkaRpcActor.onReceive(AkkaRpcActor.java:142)
at @F.runtime.rpc.akka.FencedAkkaRpcActor.onReceive(FencedAkkaRpcActor.java:40)
at akka.actor.UntypedActor$$anonfun$receive$1.applyOrElse(UntypedActor.scala:165)
at akka.actor.Actor$class.aroundReceive(Actor.scala:502)
at akka.actor.UntypedActor.aroundReceive(UntypedActor.scala:95)
at akka.actor.ActorCell.receiveMessage(ActorCell.scala:526)
at akka.actor.ActorCell.invoke(ActorCell.scala:495)
at akka.dispatch.Mailbox.processMailbox(Mailbox.scala:257)
at akka.dispatch.Mailbox.run(Mailbox.scala:224)
at akka.dispatch.Mailbox.exec(Mailbox.scala:234)
at scala.concurrent.forkjoin.ForkJoinTask.doExec(ForkJoinTask.java:260)
at scala.concurrent.forkjoin.ForkJoinPool$WorkQueue.runTask(ForkJoinPool.java:1339)
at scala.concurrent.forkjoin.ForkJoinPool.runWorker(ForkJoinPool.java:1979)
at scala.concurrent.forkjoin.ForkJoinWorkerThread.run(ForkJoinWorkerThread.java:107)"""),
    "npe_udf": ("operator", """org.apache.flink.streaming.runtime.tasks.ExceptionInChainedOperatorExcepti\
on: Could not forward element to next operator
""" + _CHAIN + """
at @F.table.runtime.conversion.SourceConversion.processElement(SourceConversion.scala:61)
""" + _CHAIN + """
at @F.streaming.api.operators.StreamSourceContexts$ManualWatermarkContext.processAndCollect(StreamSourceC\
ontexts.java:310)
at @F.streaming.api.operators.StreamSourceContexts$WatermarkContext.collect(StreamSourceContexts.java:415)
""" + _SOURCE_TAIL + """
Caused by: java.lang.NullPointerException
at com.acme.udf.GeoHashEncode.eval(GeoHashEncode.java:48)
at StreamExecCalc$<<codegen>>.processElement(Unknown Source)
at @F.streaming.runtime.tasks.OperatorChain$ChainingOutput.pushToOperator(OperatorChain.java:585)
... 22 more"""),
    "oom_heap": ("operator", """java.lang.OutOfMemoryError: Java heap space
at java.util.Arrays.copyOf(Arrays.java:3236)
at java.io.ByteArrayOutputStream.grow(ByteArrayOutputStream.java:118)
at java.io.ByteArrayOutputStream.ensureCapacity(ByteArrayOutputStream.java:93)
at java.io.ByteArrayOutputStream.write(ByteArrayOutputStream.java:153)
at @F.core.memory.DataOutputViewStreamWrapper.write(DataOutputViewStreamWrapper.java:38)
at @F.api.common.typeutils.base.StringSerializer.serialize(StringSerializer.java:68)
at @F.table.typeutils.BaseRowSerializer.serialize(BaseRowSerializer.java:116)
at @F.table.typeutils.BaseRowSerializer.serialize(BaseRowSerializer.java:48)
at @F.runtime.state.heap.CopyOnWriteStateTable.put(CopyOnWriteStateTable.java:328)
at @F.runtime.state.heap.HeapValueState.update(HeapValueState.java:82)
at @F.table.runtime.functions.ExecutionContextImpl$ValueStateWrapper.update(ExecutionContextImpl.java:102)
at @F.table.runtime.aggregate.GroupAggFunction.processElement(GroupAggFunction.scala:196)
at @F.table.runtime.aggregate.GroupAggFunction.processElement(GroupAggFunction.scala:44)
at @F.table.runtime.operator.KeyedProcessOperator.processElement(KeyedProcessOperator.java:73)
""" + _INPUT_TAIL),
    "checkpoint_decline": ("checkpoint", """org.apache.flink.runtime.checkpoint.CheckpointException:\
 Could not complete snapshot <<chk>> for operator <<operator>> (<<subtask>>/<<par>>). Failure reason:\
 Checkpoint was declined.
at @F.streaming.api.operators.AbstractStreamOperator.snapshotState(AbstractStreamOperator.java:431)
at @F.streaming.runtime.tasks.StreamTask$CheckpointingOperation.checkpointStreamOperator(StreamTask.java:1294)
at @F.streaming.runtime.tasks.StreamTask$CheckpointingOperation.executeCheckpointing(StreamTask.java:1226)
at @F.streaming.runtime.tasks.StreamTask.checkpointState(StreamTask.java:873)
at @F.streaming.runtime.tasks.StreamTask.performCheckpoint(StreamTask.java:778)
at @F.streaming.runtime.tasks.StreamTask.triggerCheckpointOnBarrier(StreamTask.java:708)
at @F.streaming.runtime.io.BarrierBuffer.notifyCheckpoint(BarrierBuffer.java:380)
at @F.streaming.runtime.io.BarrierBuffer.processBarrier(BarrierBuffer.java:283)
at @F.streaming.runtime.io.BarrierBuffer.getNextNonBlocked(BarrierBuffer.java:185)
""" + _INPUT_TAIL + """
Caused by: java.util.concurrent.TimeoutException: Timed out after 600000 ms waiting for the asynchronous\
 snapshot of the gemini state backend
at com.alibaba.flink.statebackend.gemini.GeminiKeyedStateBackend.waitForSnapshot(GeminiKeyedStateBackend.java:512)
at com.alibaba.flink.statebackend.gemini.GeminiKeyedStateBackend.snapshot(GeminiKeyedStateBackend.java:447)
at @F.streaming.api.operators.AbstractStreamOperator.snapshotState(AbstractStreamOperator.java:411)
... 13 more"""),
    "rds_write": ("sink:rds", """java.lang.RuntimeException: Writing records to JDBC failed after 3\
 retries, table: <<sink>>
at @B.rds.sink.RdsOutputFormat.writeRecords(RdsOutputFormat.java:412)
at @B.rds.sink.RdsOutputFormat.sync(RdsOutputFormat.java:355)
""" + _SINK_HEAD + """
""" + _INPUT_TAIL + """
Caused by: com.mysql.jdbc.exceptions.jdbc4.CommunicationsException: Communications link failure

The last packet successfully received from the server was 30,012 milliseconds ago.  The last packet sent\
 successfully to the server was 30,011 milliseconds ago.
at sun.reflect.NativeConstructorAccessorImpl.newInstance0(Native Method)
at sun.reflect.NativeConstructorAccessorImpl.newInstance(NativeConstructorAccessorImpl.java:62)
at sun.reflect.DelegatingConstructorAccessorImpl.newInstance(DelegatingConstructorAccessorImpl.java:45)
at java.lang.reflect.Constructor.newInstance(Constructor.java:423)
at com.mysql.jdbc.Util.handleNewInstance(Util.java:425)
at com.mysql.jdbc.SQLError.createCommunicationsException(SQLError.java:989)
at com.mysql.jdbc.MysqlIO.reuseAndReadPacket(MysqlIO.java:3556)
at com.mysql.jdbc.MysqlIO.checkErrorPacket(MysqlIO.java:3897)
at com.mysql.jdbc.MysqlIO.sendCommand(MysqlIO.java:2524)
at com.mysql.jdbc.PreparedStatement.executeBatchSerially(PreparedStatement.java:1821)
at @B.rds.sink.RdsOutputFormat.writeRecords(RdsOutputFormat.java:398)
... 14 more
""" + _SOCKET_READ + """
at com.mysql.jdbc.util.ReadAheadInputStream.fill(ReadAheadInputStream.java:101)
at com.mysql.jdbc.MysqlIO.readFully(MysqlIO.java:3008)
... 23 more"""),
    "holo_write": ("sink:hologres", """com.alibaba.hologres.client.exception.HoloClientWithDetailsExcepti\
on: failed records <<count>>, first:Record{schema=public.<<sink>>, type=INSERT},first err:[08006]Failed\
 to write records: connection is closed
at com.alibaba.hologres.client.impl.action.PutAction.getResult(PutAction.java:64)
at com.alibaba.hologres.client.HoloClient.flush(HoloClient.java:389)
at @B.hologres.sink.HologresOutputFormat.sync(HologresOutputFormat.java:244)
at @B.hologres.sink.HologresOutputFormat.writeRecord(HologresOutputFormat.java:201)
""" + _SINK_HEAD + """
""" + _INPUT_TAIL + """
Caused by: org.postgresql.util.PSQLException: FATAL: remaining connection slots are reserved for\
 non-replication superuser connections
at org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication(ConnectionFactoryImpl.java:525)
at org.postgresql.core.v3.ConnectionFactoryImpl.tryConnect(ConnectionFactoryImpl.java:146)
at org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:197)
at org.postgresql.core.ConnectionFactory.openConnection(ConnectionFactory.java:49)
at org.postgresql.jdbc.PgConnection.<init>(PgConnection.java:217)
at com.alibaba.hologres.client.impl.ConnectionHolder.doConnect(ConnectionHolder.java:119)
... 12 more"""),
    "es_write": ("sink:elasticsearch", """java.lang.RuntimeException: An error occurred in ElasticsearchSink.
at @B.elasticsearch.sink.ElasticSearchOutputFormat.checkErrorAndRethrow(ElasticSearchOutputFormat.java:381)
at @B.elasticsearch.sink.ElasticSearchOutputFormat.writeRecord(ElasticSearchOutputFormat.java:304)
""" + _SINK_HEAD + """
""" + _INPUT_TAIL + """
Caused by: org.elasticsearch.client.ResponseException: method [POST], host\
 [http://es-cn-tl32ncyx5000q8w2g.elasticsearch.aliyuncs.com:9200], URI [/_bulk?timeout=1m], status line\
 [HTTP/1.1 429 Too Many Requests]
{"error":{"root_cause":[{"type":"es_rejected_execution_exception","reason":"rejected execution of\
 coordinating operation [coordinating_and_primary_bytes=105283712, replica_bytes=0, all_bytes=105283712,\
 coordinating_operation_bytes=<<count>>,\
 max_coordinating_and_primary_bytes=107374182]"}],"type":"es_rejected_execution_exception"},"status":429}
at org.elasticsearch.client.RestClient.convertResponse(RestClient.java:326)
at org.elasticsearch.client.RestClient.performRequest(RestClient.java:296)
at org.elasticsearch.client.RestClient.performRequest(RestClient.java:270)
at org.elasticsearch.client.RestHighLevelClient.internalPerformRequest(RestHighLevelClient.java:1621)
at org.elasticsearch.client.RestHighLevelClient.bulk(RestHighLevelClient.java:492)
... 6 more"""),
    "kafka_produce": ("sink:kafka011", """java.lang.Exception: Failed to send data to Kafka: Expiring\
 <<count>> record(s) for <<sink>>-<<shard>>: 30005 ms has passed since batch creation plus linger time
at @B.kafka.sink.Kafka011OutputFormat.checkErroneous(Kafka011OutputFormat.java:388)
at @B.kafka.sink.Kafka011OutputFormat.writeRecord(Kafka011OutputFormat.java:301)
""" + _SINK_HEAD + """
""" + _INPUT_TAIL + """
Caused by: org.apache.kafka.common.errors.TimeoutException: Expiring <<count>> record(s) for\
 <<sink>>-<<shard>>: 30005 ms has passed since batch creation plus linger time
at @B.kafka.sink.Kafka011OutputFormat$1.onCompletion(Kafka011OutputFormat.java:214)
at org.apache.kafka.clients.producer.internals.ProducerBatch.completeFutureAndFireCallbacks(ProducerBatch.java:204)
at org.apache.kafka.clients.producer.internals.ProducerBatch.done(ProducerBatch.java:187)
at org.apache.kafka.clients.producer.internals.Sender.failBatch(Sender.java:627)
at org.apache.kafka.clients.producer.internals.Sender.sendProducerData(Sender.java:287)
at org.apache.kafka.clients.producer.internals.Sender.run(Sender.java:238)
at org.apache.kafka.clients.producer.internals.Sender.run(Sender.java:163)
at java.lang.Thread.run(Thread.java:834)"""),
    "odps_read": ("batch", """java.io.IOException: Failed to read MaxCompute table\
 <<project>>_mc.<<topic>>_di partition ds=<<ds>>: download session expired
at com.alibaba.blink.connectors.odps.source.OdpsInputFormat.nextRecord(OdpsInputFormat.java:322)
at com.alibaba.blink.connectors.odps.source.OdpsInputFormat.nextRecord(OdpsInputFormat.java:64)
at @F.runtime.operators.DataSourceTask.invoke(DataSourceTask.java:195)
at @F.runtime.taskmanager.Task.run(Task.java:711)
at java.lang.Thread.run(Thread.java:834)
Caused by: com.aliyun.odps.tunnel.TunnelException: RequestId=<<request_id>>,\
 ErrorCode=InvalidSessionStatus, ErrorMessage=The download session is expired.
at com.aliyun.odps.tunnel.TableTunnel$DownloadSession.openRecordReader(TableTunnel.java:981)
at com.aliyun.odps.tunnel.TableTunnel$DownloadSession.openRecordReader(TableTunnel.java:943)
at com.alibaba.blink.connectors.odps.source.OdpsInputFormat.openReader(OdpsInputFormat.java:251)
at com.alibaba.blink.connectors.odps.source.OdpsInputFormat.nextRecord(OdpsInputFormat.java:309)
... 4 more
Caused by: com.aliyun.odps.OdpsException: The download session is expired.
at com.aliyun.odps.commons.transport.DefaultConnection.getResponse(DefaultConnection.java:138)
at com.aliyun.odps.rest.RestClient.request(RestClient.java:344)
at com.aliyun.odps.rest.RestClient.requestWithRetry(RestClient.java:218)
at com.aliyun.odps.tunnel.TableTunnel$DownloadSession.reload(TableTunnel.java:1034)
at com.aliyun.odps.tunnel.TableTunnel$DownloadSession.<init>(TableTunnel.java:902)
at com.aliyun.odps.tunnel.io.TunnelRetryHandler.executeWithRetry(TunnelRetryHandler.java:84)
at com.aliyun.odps.tunnel.TableTunnel$DownloadSession.openRecordReader(TableTunnel.java:975)
... 7 more"""),
}
_ABBREVIATIONS = (("at @N.", "at org.apache.flink.shaded.netty4.io.netty."),
                  ("at @B.", "at com.alibaba.blink.streaming.connectors."), ("at @F.", "at org.apache.flink."))


def _expand_trace(text: str) -> str:
    lines = []
    for ln in text.split("\n"):
        for short, full in _ABBREVIATIONS:
            if ln.startswith(short):
                ln = full + ln[len(short):]
        lines.append(("\t" + ln) if ln.startswith(("at ", "... ")) else ln)
    return "\n".join(lines)


_TRACE_LINES: dict[str, str] = {k: _expand_trace(text) for k, (_, text) in _TRACES.items()}
_PLACEHOLDER = re.compile(r"<<(\w+)>>")


def _view_code(v: InstanceView) -> str:
    return v.code or synth_code(v.job_name, v.seed, v.job_type != "FLINK_BATCH")


def _connector_types(v: InstanceView) -> tuple[frozenset[str], frozenset[str]]:
    return _connector_types_of(_view_code(v))


@lru_cache(maxsize=1024)
def _connector_types_of(code: str) -> tuple[frozenset[str], frozenset[str]]:
    a = _analyze(code)
    if a.error or a.datastream:
        return frozenset({"kafka"} if a.datastream else ()), frozenset()
    inputs, outputs, _ = _io(a)

    def norm(t: _Table) -> str:
        typ = next((val for k, val in t.props.items() if k.lower() == "type"), "").lower()
        return "kafka" if typ.startswith("kafka") and t in inputs else typ

    return frozenset(norm(t) for t in inputs), frozenset(norm(t) for t in outputs)


# (keyword in a LastErrorMessage, trace kind): lets a message chosen by the service keep a matching stack trace.
_MESSAGE_KINDS = (("OutOfMemoryError", "oom_heap"), ("RemoteTransportException", "remote_transport"),
                  ("Heartbeat", "heartbeat"), ("NullPointerException", "npe_udf"), ("DataHub", "datahub_read"),
                  ("Datahub", "datahub_read"), ("send data to Kafka", "kafka_produce"), ("Kafka", "kafka_fetch"),
                  ("LogException", "sls_quota"), ("SLS", "sls_quota"), ("RDS", "rds_write"), ("JDBC", "rds_write"),
                  ("Communications link failure", "rds_write"), ("Holo", "holo_write"), ("hologres", "holo_write"),
                  ("Elasticsearch", "es_write"), ("heckpoint", "checkpoint_decline"), ("MaxCompute", "odps_read"),
                  ("ODPS", "odps_read"))


def _message_kind(message: str | None) -> str | None:
    if not message:
        return None
    return next((kind for word, kind in _MESSAGE_KINDS if word in message), None)


def _kinds(v: InstanceView) -> list[str]:
    """Candidate exception kinds for the instance, most characteristic first."""
    srcs, sinks = _connector_types(v)
    specific = [k for k, (where, _) in _TRACES.items()
                if (where.startswith("source:") and where[7:] in srcs)
                or (where.startswith("sink:") and where[5:] in sinks)]
    given = _message_kind(v.last_error_message)
    if v.job_type == "FLINK_BATCH":
        kinds = ["odps_read", "oom_heap", "heartbeat"]
    elif v.scenario == "checkpoint_failing":
        kinds = ["checkpoint_decline", "remote_transport"]
    elif v.scenario == "failing":
        dominant = (specific + ["npe_udf", "oom_heap"])[_key(v.seed, v.job_name, "dom") % (len(specific) + 2)]
        kinds = [dominant, "remote_transport", "heartbeat"]
    else:
        kinds = specific + ["remote_transport", "heartbeat"]
    if given and v.scenario in ("failing", "checkpoint_failing", "batch_failed"):
        kinds = [given] + [k for k in kinds if k != given]
    return kinds


def _event_kind(v: InstanceView, base: int, i: int) -> str:
    if i == 0 and (given := _message_kind(v.last_error_message)):
        return given
    kinds = _kinds(v)
    if v.scenario in ("failing", "checkpoint_failing", "batch_failed"):
        return kinds[0] if i == 0 or _u(base, 21, i) < 0.8 else kinds[1 + int(_u(base, 22, i) * (len(kinds) - 1))]
    return kinds[int(_u(base, 21, i) * len(kinds))]


def _event_vertex(v: InstanceView, kind: str, base: int, i: int) -> _Vertex:
    verts = _view_vertices(v)
    where = _TRACES[kind][0]
    if where.startswith("source") or kind == "odps_read":
        pool = [x for x in verts if x.kind.startswith("source")]
    elif where.startswith("sink"):
        pool = [x for x in verts if "sink" in x.kind]
    elif kind in ("oom_heap", "checkpoint_decline", "npe_udf"):
        pool = [x for x in verts if x.kind == "operator"] or [x for x in verts if "sink" in x.kind]
    else:
        pool = list(verts)
    pool = pool or list(verts)
    return pool[int(_u(base, 23, i) * len(pool))]


def _location(base: int, i: int) -> tuple[str, str, str]:
    """(location 'host:port', taskManagerId, host) of the task that failed."""
    tm = 1 + int(_u(base, 24, i) * 12)
    host = f"taskmanager-{tm}.cn-hangzhou.internal"
    port = 42000 + int(_u(base, 25, i) * 3000)
    container = f"container_e08_1597654819348_{(base >> 20) % 9000 + 1000:04d}_01_{tm + 1:06d}"
    return f"{host}:{port}", container, host


@lru_cache(maxsize=1024)
def _topic_sink(code: str) -> tuple[str, str]:
    a = _analyze(code)
    inputs, outputs, _ = _io(a) if not (a.error or a.datastream) else ([], [], [])
    topic = next((t.props.get("topic") or t.props.get("logStore") or t.name for t in inputs), "ods_events")
    return topic, outputs[0].name if outputs else "result_table"


def _event_text(v: InstanceView, f: _Failures, i: int, kind: str = "", vertex: _Vertex | None = None) -> str:
    base = _inst_key(v)
    kind = kind or _event_kind(v, base, i)
    vertex = vertex or _event_vertex(v, kind, base, i)
    t = _failure_time(f, base, i)
    topic, sink = _topic_sink(_view_code(v))
    peer_tm = 1 + int(_u(base, 26, i) * 12)
    values = {
        "project": lambda: v.project, "topic": lambda: topic, "sink": lambda: sink,
        "shard": lambda: str(int(_u(base, 27, i) * 8)),
        "request_id": lambda: f"{t // 1000}{_hex(base ^ i, 12)}", "broker": lambda: f"192.168.10.{21 + i % 3}:9092",
        "peer": lambda: f"taskmanager-{peer_tm}.cn-hangzhou.internal",
        "peer_ip": lambda: f"11.193.{peer_tm}.{17 + i % 200}",
        "peer_port": lambda: str(42000 + int(_u(base, 28, i) * 3000)),
        "container": lambda: _location(base, i + 1)[1], "codegen": lambda: str(100 + int(_u(base, 29, i) * 900)),
        "chk": lambda: str(1000 + (t - v.start_ms) // 180_000),
        "operator": lambda: vertex.name.split(" -> ")[0][:120],
        "subtask": lambda: str(1 + int(_u(base, 30, i) * vertex.parallelism)),
        "par": lambda: str(vertex.parallelism), "count": lambda: str(12 + int(_u(base, 31, i) * 500)),
        "ds": lambda: cst(t)[:10],
    }
    text = _PLACEHOLDER.sub(lambda m: values[m.group(1)](), _TRACE_LINES[kind])
    if i == 0 and v.last_error_message and not text.startswith(v.last_error_message):
        text = v.last_error_message + "\n" + text.split("\n", 1)[1]
    return text


def _event_entries(v: InstanceView, f: _Failures, i: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """(all-exceptions entry, exceptionHistory entry) of failure i."""
    base = _inst_key(v)
    kind = _event_kind(v, base, i)
    vertex = _event_vertex(v, kind, base, i)
    text = _event_text(v, f, i, kind, vertex)
    sub = 1 + int(_u(base, 32, i) * vertex.parallelism)
    task = f"{vertex.name} ({sub}/{vertex.parallelism})"
    location, container, _ = _location(base, i)
    t = _failure_time(f, base, i)
    first = text.split("\n", 1)[0]
    name = first.split(":", 1)[0].strip()
    return ({"exception": text, "task": task, "location": location, "timestamp": t},
            {"exceptionName": name, "stacktrace": text, "timestamp": t, "taskName": task,
             "location": location, "endpoint": location, "taskManagerId": container, "failureLabels": {},
             "concurrentExceptions": []})


def exceptions(v: InstanceView) -> dict[str, Any]:
    """GetInstanceExceptions' payload (Flink's job exceptions REST shape plus "exceptionHistory").

    Newest first; one entry per failover (up to ALL_EXCEPTIONS_CAP / HISTORY_CAP, then truncated=true).
    An instance without failovers gives the spec example: root-exception null, empty lists."""
    f = _failures(v) if _started(v) or v.actual_state == "FAILED" else _Failures(0, 0, 0.0, v.start_ms)
    if f.count == 0:
        return {"root-exception": None, "timestamp": None, "all-exceptions": [], "truncated": False,
                "exceptionHistory": {"entries": [], "truncated": False}}
    n = min(f.count, ALL_EXCEPTIONS_CAP)
    pairs = [_event_entries(v, f, i) for i in range(n)]
    return {"root-exception": pairs[0][0]["exception"], "timestamp": pairs[0][0]["timestamp"],
            "all-exceptions": [p[0] for p in pairs], "truncated": f.count > ALL_EXCEPTIONS_CAP,
            "exceptionHistory": {"entries": [p[1] for p in pairs[:HISTORY_CAP]], "truncated": f.count > HISTORY_CAP}}


def _fit(text: str, budget: int) -> str:
    """The longest prefix of text whose JSON encoding (quotes included) is at most budget bytes."""
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if len(json.dumps(text[:mid])) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo]


def exceptions_of_size(v: InstanceView, target_bytes: int) -> dict[str, Any]:
    """An exceptions payload whose json.dumps() is about target_bytes long (for benchmarking huge payloads).

    Uses the instance's failure history, continued back in time as far as needed."""
    f = _failures(v)
    if f.count == 0:
        f = _Failures(1, _horizon(v) if _started(v) else v.now_ms, 90_000.0, v.start_ms)
    f = replace(f, count=1 << 30)
    first_all, first_hist = _event_entries(v, f, 0)
    payload: dict[str, Any] = {"root-exception": first_all["exception"], "timestamp": first_all["timestamp"],
                               "all-exceptions": [], "truncated": True,
                               "exceptionHistory": {"entries": [first_hist], "truncated": True}}
    size = len(json.dumps(payload))
    if size > target_bytes:  # small target: drop the history entry, then shorten the root exception
        payload["exceptionHistory"]["entries"] = []
        size = len(json.dumps(payload))
        if size > target_bytes:
            root = payload["root-exception"]
            payload["root-exception"] = _fit(root, len(json.dumps(root)) - (size - target_bytes))
            return payload
    entries: list[dict[str, Any]] = payload["all-exceptions"]
    i = 0
    while size < target_bytes:
        entry = _event_entries(v, f, i)[0]
        esize = len(json.dumps(entry)) + (2 if entries else 0)
        if size + esize > target_bytes:
            text = entry["exception"]
            budget = len(json.dumps(text)) - (size + esize - target_bytes)
            if budget > 200:
                entry["exception"] = _fit(text, budget)
                entries.append(entry)
            break
        entries.append(entry)
        size += esize
        i += 1
    return payload


