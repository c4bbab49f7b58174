/**
 * Real cases of issue 11's vendor, package and COPY classes, each rewritten in our own words from a
 * public repository (named in `repo`; `where` says the file or the thread). `rule` is the rule
 * that should report it, `findings` how many findings it should give on linux/amd64 + linux/arm64.
 * test/vendor-cases.test.ts asserts them; the counts before and after issue 11 are in the report.
 */
export interface RealCase {
  readonly repo: string;
  readonly where: string;
  readonly kind: 'unsuffixed' | 'vendor-word' | 'apt' | 'apt-package' | 'python' | 'node' | 'copy';
  readonly rule: string;
  readonly findings: number;
  readonly code: string;
}

export const VENDOR_CASES: readonly RealCase[] = [
  // k3s: the x86-64 binary is plain `k3s` (arm64 is k3s-arm64)
  {
    repo: 'gcavalcante8808/k3s-docker',
    where: 'Dockerfile: a downloader stage fetches .../releases/download/${K3S_VERSION}/k3s',
    kind: 'unsuffixed',
    rule: 'AA101',
    findings: 1,
    code: 'FROM alpine:3.8 AS downloader\nARG K3S_VERSION=v1.18.6+k3s1\nRUN curl -L --output k3s https://github.com/rancher/k3s/releases/download/${K3S_VERSION}/k3s && chmod +x k3s\nFROM debian:10\nCOPY --from=downloader /k3s /usr/local/bin/k3s\n',
  },
  {
    repo: 'Opswatch/footloose-k3s',
    where: 'Dockerfile: curl -o /usr/local/bin/k3s .../v1.19.2%2Bk3s1/k3s',
    kind: 'unsuffixed',
    rule: 'AA101',
    findings: 1,
    code: 'FROM debian:10\nRUN apt-get update && apt-get install -y curl && curl -L -o /usr/local/bin/k3s https://github.com/rancher/k3s/releases/download/v1.19.2%2Bk3s1/k3s\n',
  },
  {
    repo: 'unboundedsystems/k3s-dind',
    where: 'Dockerfile: ADD .../releases/download/${K3S_VERSION}/k3s /usr/local/bin/k3s',
    kind: 'unsuffixed',
    rule: 'AA101',
    findings: 1,
    code: 'FROM docker:20.10-dind\nENV K3S_VERSION="v1.18.19%2Bk3s1"\nADD https://github.com/rancher/k3s/releases/download/${K3S_VERSION}/k3s /usr/local/bin/k3s\n',
  },
  {
    repo: 'ajay0988/azcopy',
    where: 'Dockerfile: wget https://aka.ms/downloadazcopy-v10-linux, then COPY azcopy_linux_amd64_*/azcopy',
    kind: 'unsuffixed',
    rule: 'AA101',
    findings: 1,
    code: 'FROM ubuntu:20.04\nRUN apt update && apt install -y wget\nRUN wget https://aka.ms/downloadazcopy-v10-linux && tar -xvf downloadazcopy-v10-linux\n',
  },
  {
    repo: 'clems71/azcopy',
    where: 'Dockerfile: ADD https://aka.ms/downloadazcopy-v10-linux /tmp/azcopy.tar',
    kind: 'unsuffixed',
    rule: 'AA101',
    findings: 1,
    code: 'FROM ubuntu:22.04\nWORKDIR /app\nADD https://aka.ms/downloadazcopy-v10-linux /tmp/azcopy.tar\nRUN tar xvf /tmp/azcopy.tar --strip-components 1\n',
  },
  // vendors' own words
  {
    repo: 'aws-samples/aws-service-catalog-tools-workshop',
    where: 'Dockerfile: hugo_extended_0.61.0_Linux-64bit.deb',
    kind: 'vendor-word',
    rule: 'AA101',
    findings: 1,
    code: 'FROM ubuntu:18.04\nRUN apt-get update && apt-get install -y wget\nRUN wget https://github.com/gohugoio/hugo/releases/download/v0.61.0/hugo_extended_0.61.0_Linux-64bit.deb && dpkg -i hugo_extended_0.61.0_Linux-64bit.deb\n',
  },
  {
    repo: 'suchoss/HugoBase',
    where: 'Dockerfile: ADD .../hugo_extended_${VERSION}_Linux-64bit.tar.gz',
    kind: 'vendor-word',
    rule: 'AA101',
    findings: 1,
    code: 'FROM ubuntu:20.04\nARG VERSION=0.81.0\nADD https://github.com/gohugoio/hugo/releases/download/v${VERSION}/hugo_extended_${VERSION}_Linux-64bit.tar.gz /hugo.tar.gz\n',
  },
  {
    repo: 'errata-ai/vale (release assets), as fetched in a public docs Dockerfile',
    where: 'Dockerfile: wget .../vale_2.15.4_Linux_64-bit.tar.gz',
    kind: 'vendor-word',
    rule: 'AA101',
    findings: 1,
    code: 'FROM alpine\nRUN apk add --no-cache wget tar\nRUN wget https://github.com/errata-ai/vale/releases/download/v2.15.4/vale_2.15.4_Linux_64-bit.tar.gz && tar -xvzf vale_2.15.4_Linux_64-bit.tar.gz\n',
  },
  {
    repo: 'code-golf/code-golf',
    where: 'docker/firefox.Dockerfile: geckodriver-v0.29.0-linux64.tar.gz',
    kind: 'vendor-word',
    rule: 'AA101',
    findings: 1,
    code: 'FROM alpine:3.13\nRUN apk add --no-cache curl firefox && curl -L https://github.com/mozilla/geckodriver/releases/download/v0.29.0/geckodriver-v0.29.0-linux64.tar.gz | tar xz -C /usr/local/bin\n',
  },
  {
    repo: 'cv-library/docker-geckodriver',
    where: 'Dockerfile: geckodriver-v0.25.0-linux64.tar.gz',
    kind: 'vendor-word',
    rule: 'AA101',
    findings: 1,
    code: 'FROM debian:sid-slim\nRUN apt-get update && apt-get install -y curl firefox && curl -L https://github.com/mozilla/geckodriver/releases/download/v0.25.0/geckodriver-v0.25.0-linux64.tar.gz | tar xz -C /usr/local/bin\n',
  },
  {
    repo: 'e8kor/python-geckodriver-docker-image',
    where: 'Dockerfile: wget -O $HOME/geckodriver.tar.gz .../geckodriver-v0.23.0-linux64.tar.gz',
    kind: 'vendor-word',
    rule: 'AA101',
    findings: 1,
    code: 'FROM python:3\nRUN wget -O /tmp/geckodriver.tar.gz https://github.com/mozilla/geckodriver/releases/download/v0.23.0/geckodriver-v0.23.0-linux64.tar.gz\n',
  },
  {
    repo: 'a linuxserver.io-style Radarr Dockerfile (search corpus file id 338591231); servarr install docs (id 33570403901)',
    where: 'curl ".../v1/update/${BRANCH}/updatefile?version=${V}&os=linuxmusl&runtime=netcore&arch=x64": the architecture is a query parameter',
    kind: 'vendor-word',
    rule: 'AA101',
    findings: 1,
    code: 'FROM alpine:3.20\nARG RADARR_BRANCH=master\nRUN curl -o /tmp/radarr.tar.gz -L "https://radarr.servarr.com/v1/update/${RADARR_BRANCH}/updatefile?os=linuxmusl&runtime=netcore&arch=x64" && tar xzf /tmp/radarr.tar.gz -C /app\n',
  },
  // apt sources and packages
  {
    repo: 'ephpm/ephpm',
    where: 'pull #84, docker/Dockerfile.gha: deb [arch=amd64] Docker source broke the arm64 CI image',
    kind: 'apt',
    rule: 'AA121',
    findings: 1,
    code: 'FROM ubuntu:24.04\nRUN echo "deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/ubuntu noble stable" > /etc/apt/sources.list.d/docker.list && apt-get update && apt-get install -y docker-ce-cli\n',
  },
  {
    repo: 'johnnylarner/johnnypi',
    where: 'infra/docker/install_1.sh: deb [arch=arm64 ...] (as a RUN step)',
    kind: 'apt',
    rule: 'AA121',
    findings: 1,
    code: 'FROM debian:bullseye\nRUN echo deb [arch=arm64 signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/debian bullseye stable | tee /etc/apt/sources.list.d/docker.list\n',
  },
  {
    repo: 'lxwzy/docker-cli-img',
    where: 'Dockerfile: add-apt-repository "deb [arch=amd64] https://download.docker.com/linux/ubuntu ..." over continuation lines',
    kind: 'apt',
    rule: 'AA121',
    findings: 1,
    code: 'FROM ubuntu\nRUN apt-get update && apt-get install -y curl software-properties-common \\\n && add-apt-repository \\\n   "deb [arch=amd64] https://download.docker.com/linux/ubuntu \\\n   $(lsb_release -cs) stable" \\\n && apt-get update && apt-get install -y docker-ce-cli\n',
  },
  {
    repo: 'bob-crutchley/docker-steam-server',
    where: 'Dockerfile: dpkg --add-architecture i386, then apt install ... libstdc++6:i386 (no cross toolchain)',
    kind: 'apt-package',
    rule: 'AA121',
    findings: 1,
    code: 'FROM debian:latest\nRUN dpkg --add-architecture i386\nRUN apt update\nRUN apt install -y curl lib32gcc1 libstdc++6 libstdc++6:i386\n',
  },
  {
    repo: 'rivermigue/generalIMG',
    where: 'Dockerfile: i386 libraries (libc6:i386, libgl1-mesa-glx:i386, ...) for steamcmd',
    kind: 'apt-package',
    rule: 'AA121',
    findings: 2,
    code: 'FROM ubuntu:focal\nRUN dpkg --add-architecture i386 && apt-get update -yq && apt-get install -yq lib32stdc++6 libc6:i386 && apt-get install -yq libgl1-mesa-glx:i386 lib32gcc1\n',
  },
  // Python
  {
    repo: 'NicodemeB/build-lambda-layer',
    where: 'Dockerfile: pip3 install --platform manylinux2014_x86_64 --only-binary=:all: ... -t /python/... (deliberate: a Lambda layer for x86_64; suppress when so)',
    kind: 'python',
    rule: 'AA121',
    findings: 1,
    code: 'FROM amazonlinux\nARG package\nRUN pip3 install --platform manylinux2014_x86_64 --only-binary=:all: --upgrade $package -t /python/lib/python3.9/site-packages\n',
  },
  {
    repo: 'hw-native-sys/PTOAS',
    where: 'pull #2, docker/Dockerfile: auditwheel repair --plat manylinux_2_34_x86_64; review: the Dockerfile also builds for aarch64',
    kind: 'python',
    rule: 'AA121',
    findings: 1,
    code: 'FROM quay.io/pypa/manylinux_2_34\nRUN python setup.py bdist_wheel\nRUN auditwheel repair --plat manylinux_2_34_x86_64 dist/ptoas*.whl\n',
  },
  {
    repo: 'a public Lambda packaging Dockerfile (search corpus file id 6541049666)',
    where: 'FROM public.ecr.aws/lambda/python:3.10; pip install --platform manylinux2014_x86_64 --target . ... numpy pandas (x86-64 wheels, deliberate for Lambda x86_64)',
    kind: 'python',
    rule: 'AA121',
    findings: 1,
    code: 'FROM public.ecr.aws/lambda/python:3.10\nWORKDIR /app\nRUN pip install --platform manylinux2014_x86_64 --target . --implementation cp --python-version 3.10 --only-binary=:all: numpy==1.24.3 pandas==1.5.3\n',
  },
  // Node.js
  {
    repo: 'louisgrasset/touitomamout',
    where: 'issue #159 / pull #164: an explicit --arch=x64 for sharp broke the arm64 image until it was removed',
    kind: 'node',
    rule: 'AA121',
    findings: 1,
    code: 'FROM node:20-alpine\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev && npm install --arch=x64 --platform=linuxmusl sharp\n',
  },
  {
    repo: 'ReputeBeeOrg/reputebeeorg',
    where: 'Dockerfile: npm install --arch=x64 --platform=linuxmusl sharp',
    kind: 'node',
    rule: 'AA121',
    findings: 1,
    code: 'FROM node:current-alpine\nRUN npm install && npm install --arch=x64 --platform=linuxmusl --ignore-scripts=false sharp\n',
  },
  {
    repo: 'georgemblack/gcs-image-convert',
    where: 'Dockerfile: yarn add --arch=x64 --platform=linux sharp',
    kind: 'node',
    rule: 'AA121',
    findings: 1,
    code: 'FROM node:14-stretch AS build-env\nRUN yarn && yarn add --arch=x64 --platform=linux sharp\nFROM node:14-alpine\nCOPY --from=build-env /build /app\n',
  },
  {
    repo: 'engi-network/canifinetuneyet',
    where: 'Dockerfile: npm install --platform=linux --arch=arm64v8 sharp',
    kind: 'node',
    rule: 'AA121',
    findings: 1,
    code: 'FROM node:16.14.0\nRUN npm install --platform=linux --arch=arm64v8 sharp\n',
  },
  {
    repo: 'tuantransn2001/LoginForm-Backend',
    where: 'Dockerfile: npm install --force @img/sharp-linux-x64',
    kind: 'node',
    rule: 'AA121',
    findings: 1,
    code: 'FROM node:18.5\nRUN npm install\nRUN npm install --force @img/sharp-linux-x64\n',
  },
  // COPY sources named for one architecture
  {
    repo: 'iruoy/rust-multi-stage-docker',
    where: 'Dockerfile: COPY --from=builder /target/x86_64-unknown-linux-musl/release/hello /',
    kind: 'copy',
    rule: 'AA110',
    findings: 1,
    code: 'FROM rust AS builder\nRUN rustup target add x86_64-unknown-linux-musl && cargo build --release --target x86_64-unknown-linux-musl\nFROM scratch\nCOPY --from=builder /target/x86_64-unknown-linux-musl/release/hello /\n',
  },
  {
    repo: 'NoRelect/rust-scratch-webapp',
    where: 'Dockerfile: COPY --from=builder /app/target/x86_64-unknown-linux-musl/release/app /app',
    kind: 'copy',
    rule: 'AA110',
    findings: 1,
    code: 'FROM rust AS builder\nWORKDIR /app/\nRUN cargo build --release --target x86_64-unknown-linux-musl\nFROM scratch\nCOPY --from=builder /app/target/x86_64-unknown-linux-musl/release/app /app\n',
  },
  {
    repo: 'tinrab/rust-docker-example',
    where: 'Dockerfile: ekidd/rust-musl-builder output copied from target/x86_64-unknown-linux-musl/release',
    kind: 'copy',
    rule: 'AA110',
    findings: 1,
    code: 'FROM ekidd/rust-musl-builder AS build\nRUN cargo build --release\nFROM scratch\nCOPY --from=build /home/rust/src/target/x86_64-unknown-linux-musl/release/hello /\n',
  },
  {
    repo: 'public Dockerfile, search corpus file id 58847312320',
    where: 'COPY bin/linux_amd64/<server> .',
    kind: 'copy',
    rule: 'AA110',
    findings: 1,
    code: 'FROM alpine:3.21.3\nWORKDIR /app\nCOPY bin/linux_amd64/server .\nENTRYPOINT ["./server"]\n',
  },
  {
    repo: 'public Dockerfile, search corpus file id 45464601575',
    where: 'COPY dist/linux-amd64/<proxy> /',
    kind: 'copy',
    rule: 'AA110',
    findings: 1,
    code: 'FROM alpine:3.8\nCOPY dist/linux-amd64/proxy /proxy\nENTRYPOINT ["/proxy"]\n',
  },
];
