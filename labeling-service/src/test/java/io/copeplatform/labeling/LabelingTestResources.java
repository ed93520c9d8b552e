package io.copeplatform.labeling;

import io.copeplatform.testkit.KafkaTestResource;
import io.copeplatform.testkit.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;

/** One embedded PostgreSQL and one Kafka broker for every @QuarkusTest of this module. */
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
public class LabelingTestResources {
}
