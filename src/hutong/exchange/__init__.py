"""The sharing exchange (共享交换平台, M2018 §15–23, §32–35): applications and their reviews,
agreements and other gate documents, grants, policy-enforced online access, deliveries,
external-provision requests, correction reports and notifications."""
